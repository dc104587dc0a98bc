"""``optimlab demo``: the practicals and figures of the course material, in one HTML report.

The practicals come from the lecture slides "Optimization Algorithms in Deep Learning"
(R. Yadav, IIT Mandi, 2025), the course notes "Optimizers in Deep Learning", the lecture
slides "Optimizers" (SKKU, after Goodfellow et al., Deep Learning, ch. 8) and the debugging
checklist of "Optimization Algorithms in Deep Neural Networks". Each practical is a small
function that trains, plots into the output folder, and adds a section to the report.
``quick=True`` shrinks every size (for tests and smoke runs).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from optimlab import data, landscapes, optim, theory, viz
from optimlab.lab.experiment import RunSpec, run
from optimlab.lab.report import Report
from optimlab.models import MLP, LinearRegression, LogisticRegression
from optimlab.train import fit

TRAJECTORY_TITLES = {
    "ravine": "Ravine (quadratic, condition number 25)",
    "rosenbrock": "Rosenbrock's valley from (-1.2, 1)",
    "saddle": "Saddle f(x, y) = x^2 - y^2 from (1, 0.001)",
}


class Demo:
    """The practicals, sharing an output folder, a report, a seed and a size switch."""

    def __init__(self, out: Path, seed: int, quick: bool, command: str) -> None:
        self.out, self.seed, self.quick = out, seed, quick
        self.report = Report(
            "optimlab demo: optimization algorithms of deep learning",
            command,
            {"seed": seed, "quick": quick, "out": str(out)},
        )

    def size(self, full: int, quick: int) -> int:
        """A size, shrunk in quick mode."""
        return quick if self.quick else full

    def path(self, name: str) -> Path:
        """Where a figure goes."""
        return self.out / name

    # -- the practicals ------------------------------------------------------------------

    def logistic_separable(self) -> None:
        """Logistic regression by gradient descent on separable data (Yadav's slides)."""
        X, y = data.linearly_separable(200, margin=0.5, seed=self.seed)
        model = LogisticRegression(2)
        history = fit(model, optim.SGD(model.params, lr=0.5), X, y, epochs=self.size(300, 30))
        viz.plot_decision_boundary(
            model.predict_proba,
            X,
            y,
            path=self.path("logistic_separable.png"),
            title="Logistic regression on separable data: P(y = 1) and the boundary",
        )
        viz.plot_losses(
            {"batch GD, lr=0.5": history.loss},
            path=self.path("logistic_separable_loss.png"),
            title="Logistic regression: training loss per iteration",
            y_label="mean cross-entropy (log scale)",
        )
        self.report.section("Logistic regression on linearly separable data").text(
            "Batch gradient descent on the mean binary cross-entropy (the practical of the "
            'lecture slides "Optimization Algorithms in Deep Learning"). '
            "On separable data the loss keeps falling towards 0 as the weights grow: the "
            f"training accuracy is {history.epoch_train_metric[-1]:.1%}."
        ).figure(self.path("logistic_separable.png"), "decision boundary").figure(
            self.path("logistic_separable_loss.png"), "loss per iteration"
        )

    def moons_linear_vs_mlp(self) -> None:
        """A linear boundary cannot separate the moons; an MLP can (Yadav's slides)."""
        X, y = data.moons(400, noise=0.2, seed=self.seed)
        X_train, X_val, y_train, y_val = data.train_val_split(X, y, seed=self.seed)
        linear = LogisticRegression(2)
        h_lin = fit(
            linear,
            optim.Newton(linear.params),
            X_train,
            y_train,
            iterations=10,
            validation=(X_val, y_val),
        )
        net = MLP([2, 32, 32, 1], activation="tanh", task="binary", seed=self.seed)
        h_net = fit(
            net,
            optim.Adam(net.params, lr=0.01),
            X_train,
            y_train,
            epochs=self.size(150, 10),
            batch_size=32,
            validation=(X_val, y_val),
            seed=self.seed,
        )
        viz.plot_decision_boundary(
            linear.predict_proba,
            X,
            y,
            path=self.path("moons_logistic.png"),
            title="Logistic regression (Newton) on the moons: a straight boundary",
        )
        viz.plot_decision_boundary(
            net.predict_proba,
            X,
            y,
            path=self.path("moons_mlp.png"),
            title="MLP 2-32-32-1 (Adam) on the moons: a curved boundary",
        )
        self.report.section("Non-linearly separable data: logistic regression vs an MLP").text(
            "Logistic regression (fitted exactly by Newton-Raphson) draws a straight line; a "
            "2-32-32-1 tanh network trained by Adam bends the boundary around the moons."
        ).table(
            [
                {
                    "model": "logistic regression (Newton)",
                    "val accuracy": h_lin.epoch_val_metric[-1],
                },
                {"model": "MLP 2-32-32-1 (Adam)", "val accuracy": h_net.epoch_val_metric[-1]},
            ]
        ).figure(self.path("moons_logistic.png"), "logistic regression").figure(
            self.path("moons_mlp.png"), "MLP"
        )

    def linear_regression_vs_ols(self) -> None:
        """Gradient descent reaches the OLS closed form (exercise of Yadav's slides)."""
        X, y, coef = data.linear_regression(200, n_features=3, noise=0.5, seed=self.seed)
        model = LinearRegression(3)
        history = fit(model, optim.SGD(model.params, lr=0.1), X, y, epochs=self.size(300, 30))
        ols = model.ols_solution(X, y)
        rows = [
            {
                "coefficient": f"w{i + 1}",
                "true": float(coef[i]),
                "gradient descent": float(model.params["W"][i, 0]),
                "OLS (X^T X)^-1 X^T y": float(ols["W"][i, 0]),
            }
            for i in range(3)
        ]
        rows.append(
            {
                "coefficient": "b",
                "true": 0.0,
                "gradient descent": float(model.params["b"][0]),
                "OLS (X^T X)^-1 X^T y": float(ols["b"][0]),
            }
        )
        viz.plot_losses(
            {"batch GD, lr=0.1": history.loss},
            path=self.path("linreg_loss.png"),
            title="Linear regression: training loss per iteration",
            y_label="mean squared error (log scale)",
        )
        self.report.section("Linear regression: gradient descent vs the closed form").text(
            "The mean squared error is convex, so gradient descent converges to the OLS solution."
        ).table(rows).figure(self.path("linreg_loss.png"), "MSE per iteration")

    def mlp_digits(self) -> None:
        """An MLP with hand-written backpropagation (the four backpropagation equations of
        the "Optimizers" slides) on digits."""
        digits = data.load_dataset("digits")
        X_train, X_val, y_train, y_val = data.train_val_split(
            digits.X / 16.0, digits.y, seed=self.seed, stratify=True
        )
        net = MLP([64, 64, 10], activation="relu", task="multiclass", seed=self.seed)
        history = fit(
            net,
            optim.Adam(net.params, lr=3e-3),
            X_train,
            y_train,
            epochs=self.size(30, 3),
            batch_size=32,
            validation=(X_val, y_val),
            seed=self.seed,
        )
        viz.plot_losses(
            {"train": history.epoch_train_loss, "validation": history.epoch_val_loss},
            path=self.path("digits_loss.png"),
            x_label="epoch",
            title="MLP 64-64-10 on digits (Adam): loss per epoch",
            y_label="mean cross-entropy (log scale)",
        )
        self.report.section("An MLP on handwritten digits").text(
            "A 64-64-10 ReLU network, softmax cross-entropy, Adam, mini-batches of 32: "
            f"validation accuracy {history.epoch_val_metric[-1]:.1%} after {history.epochs} epochs."
        ).figure(self.path("digits_loss.png"), "loss per epoch")

    def trajectories(self) -> None:
        """Optimizers' paths on a ravine, Rosenbrock and a saddle (the figures of the
        "Optimizers in Deep Learning" notes and the "Optimizers" slides)."""
        steps = self.size(300, 30)
        settings = {
            "ravine": (
                landscapes.Quadratic(condition_number=25.0, angle=0.5),
                {
                    "SGD lr=0.07": lambda x: optim.SGD(x, lr=0.07),
                    "Momentum lr=0.035": lambda x: optim.Momentum(x, lr=0.035, beta=0.9),
                    "Nesterov lr=0.01": lambda x: optim.Nesterov(x, lr=0.01, momentum=0.9),
                    "RMSprop lr=0.05": lambda x: optim.RMSprop(x, lr=0.05, alpha=0.9),
                    "Adam lr=0.1": lambda x: optim.Adam(x, lr=0.1),
                    "Newton": lambda x: optim.Newton(x),
                },
            ),
            "rosenbrock": (
                landscapes.Rosenbrock(),
                {
                    "SGD lr=1e-3": lambda x: optim.SGD(x, lr=1e-3),
                    "Momentum lr=1e-3": lambda x: optim.SGD(x, lr=1e-3, momentum=0.9),
                    "Adagrad lr=0.5": lambda x: optim.Adagrad(x, lr=0.5),
                    "RMSprop lr=0.01": lambda x: optim.RMSprop(x, lr=0.01, alpha=0.9),
                    "Adam lr=0.05": lambda x: optim.Adam(x, lr=0.05),
                    "Newton (line search)": lambda x: optim.Newton(x, line_search=True),
                },
            ),
            "saddle": (
                landscapes.Saddle(),
                {
                    "SGD lr=0.05": lambda x: optim.SGD(x, lr=0.05),
                    "Momentum lr=0.05": lambda x: optim.SGD(x, lr=0.05, momentum=0.9),
                    "Adam lr=0.05": lambda x: optim.Adam(x, lr=0.05),
                    "RMSprop lr=0.01": lambda x: optim.RMSprop(x, lr=0.01, alpha=0.9),
                },
            ),
        }
        section = self.report.section("Optimizers on loss surfaces")
        section.text(
            "Each path starts at the surface's standard start point (a ring) and ends at its "
            "own marker; paths that share a stretch are drawn wider underneath and dashed on "
            "top, and an arrowhead marks where a path leaves the window. In the ravine, SGD "
            "with a large rate zig-zags across the steep direction while momentum and the "
            "adaptive methods move along the valley; Newton jumps to the minimum in one step. "
            "On Rosenbrock's curved valley every first-order method is still on its way after "
            "the same number of steps, Newton arrives. On the saddle, plain gradient descent "
            "first slides towards the saddle point, where the gradient nearly vanishes, and "
            "leaves it slowly along the escape direction; momentum and Adam escape sooner."
        )
        for name, (surface, factories) in settings.items():
            paths = {
                label: viz.run_on_landscape(surface, f, steps) for label, f in factories.items()
            }
            viz.plot_trajectories(
                surface,
                paths,
                path=self.path(f"paths_{name}.png"),
                title=f"{TRAJECTORY_TITLES[name]}: {steps} steps of each optimizer",
            )
            section.figure(
                self.path(f"paths_{name}.png"), f"{TRAJECTORY_TITLES[name]}, {steps} steps"
            )
            if name == "rosenbrock":
                viz.animate_trajectories(
                    surface, paths, self.path("paths_rosenbrock.gif"), max_frames=self.size(60, 5)
                )
                section.figure(self.path("paths_rosenbrock.gif"), "the same, animated")

    def learning_rates(self) -> None:
        """Learning-rate effects on a convex and a non-convex loss (Yadav's slides)."""
        bowl = landscapes.Quadratic(condition_number=1.0, dim=1, start=[3.0])
        curves = {}
        for lr in (0.05, 0.5, 1.9, 2.1):
            path = viz.run_on_landscape(
                bowl, lambda x, lr=lr: optim.SGD(x, lr=lr), self.size(40, 10)
            )
            curves[f"lr={lr}"] = np.array(
                [bowl.value(p) if np.isfinite(p).all() else np.nan for p in path]
            )
        viz.plot_losses(
            curves,
            path=self.path("lr_convex.png"),
            title="Convex f(x) = 0.5 x^2: gradient descent at four learning rates",
            y_label="f(x_k) (log scale)",
        )
        basin = landscapes.TwoBasin(dim=1)
        paths = {
            f"lr={lr}": viz.run_on_landscape(
                basin, lambda x, lr=lr: optim.SGD(x, lr=lr), self.size(60, 20)
            )
            for lr in (0.02, 0.5)
        }
        viz.plot_losses(
            {
                label: np.array([basin.value(q) if np.isfinite(q).all() else np.nan for q in p])
                for label, p in paths.items()
            },
            path=self.path("lr_nonconvex.png"),
            log_scale=False,
            title="Two basins: a small rate stays near, a large one jumps",
            y_label="f(x_k)",
        )
        rows = [
            {
                "learning rate": label,
                "start x": float(p[0, 0]),
                "end x": float(p[-1, 0]),
                "basin": "near" if abs(p[-1, 0] - basin.near_minimum[0]) < 1 else "far",
            }
            for label, p in paths.items()
        ]
        self.report.section("Learning-rate effects").text(
            "Convex (0.5 x^2): a small rate crawls, a good one converges fast, 1.9 oscillates, "
            "and above 2 (= 2/L) gradient descent diverges. Non-convex (two basins): a small "
            "rate stays in the basin it starts in; a large one jumps to the other."
        ).figure(self.path("lr_convex.png"), "convex: loss per iteration").figure(
            self.path("lr_nonconvex.png"), "non-convex (two basins): loss per iteration"
        ).table(rows)

    def sampling_modes(self) -> None:
        """Batch vs stochastic vs mini-batch gradient descent (Yadav's slides)."""
        cancer = data.load_dataset("breast_cancer")
        X = data.Standardizer().fit_transform(cancer.X)
        epochs = self.size(20, 3)
        per_epoch, per_iteration = {}, {}
        for label, batch_size, lr in (
            ("batch (N)", None, 0.5),
            ("mini-batch (32)", 32, 0.1),
            ("stochastic (1)", 1, 0.01),
        ):
            model = LogisticRegression(X.shape[1])
            history = fit(
                model,
                optim.SGD(model.params, lr=lr),
                X,
                cancer.y,
                epochs=epochs,
                batch_size=batch_size,
                seed=self.seed,
            )
            per_epoch[label] = history.epoch_train_loss
            per_iteration[label] = history.loss[: self.size(600, 100)]
        viz.plot_losses(
            per_epoch,
            path=self.path("modes_epoch.png"),
            x_label="epoch",
            title="Breast cancer, logistic regression: training loss per epoch",
            y_label="mean cross-entropy (log scale)",
        )
        viz.plot_losses(
            per_iteration,
            path=self.path("modes_iteration.png"),
            smooth_beta=0.9,
            y_range=(0.01, 1.5),
            title="Training loss per iteration (faint: raw; bold: EWMA, beta = 0.9)",
            y_label="mean cross-entropy of the batch (log scale)",
        )
        self.report.section("Batch, stochastic and mini-batch gradient descent").text(
            "Per epoch, smaller batches make more updates and progress faster; per iteration, "
            "their loss is noisier (faint: raw, clipped to the window 0.01 to 1.5; bold: "
            "EWMA-smoothed)."
        ).figure(self.path("modes_epoch.png"), "per epoch").figure(
            self.path("modes_iteration.png"), "per iteration"
        )

    def ewma(self) -> None:
        """The exponentially weighted moving average and its beta ("Optimizers in Deep
        Learning")."""
        rng = np.random.default_rng(self.seed)
        series = 10 + np.cumsum(rng.normal(0, 0.1, 250)) + rng.normal(0, 0.3, 250)
        viz.plot_ewma_demo(series, betas=(0.5, 0.9, 0.98), path=self.path("ewma.png"))
        self.report.section("Exponentially weighted moving averages").text(
            "v_t = beta v_{t-1} + (1 - beta) x_t: a larger beta averages over about 1/(1 - beta) "
            "points, smoother but later. Momentum, RMSProp and Adam are built on it."
        ).figure(self.path("ewma.png"), "a noisy series and its EWMA")

    def convergence(self) -> None:
        """The convergence table of Yadav's slides, measured: GD, heavy ball and Newton."""
        rows = theory.convergence_table(condition_number=100.0)
        viz.plot_convergence_table(rows, path=self.path("convergence.png"))
        undefined = "n/a"  # a rate or order a method does not have (Newton is exact at once)
        table = [
            {k: undefined if isinstance(v, float) and math.isnan(v) else v for k, v in r.items()}
            for r in ({k: v for k, v in row.items() if k != "errors"} for row in rows)
        ]
        self.report.section("Convergence rates: measured against theory").text(
            "On a quadratic with condition number 100: gradient descent with step 1/L contracts "
            "the error by 1 - 1/kappa per step, heavy-ball momentum by "
            "(sqrt(kappa)-1)/(sqrt(kappa)+1), and Newton is exact in one step; on a convex "
            "bowl that is not quadratic, Newton converges quadratically (order 2). The figure "
            "draws each measured run as a wide pale line and what theory predicts as a dashed "
            "line in the same colour: e_0 r^k for the two linear methods, and for Newton the "
            "order-2 recursion e_(k+1) = C e_k^2 from e_1, with C set by its first step. Heavy "
            "ball runs slightly above its line: at the extreme eigenvalues its error is "
            "(a + b k) r^k, so the measured rate approaches the predicted one slowly."
        ).table(table).figure(
            self.path("convergence.png"), "error per iteration (log scale) against theory"
        )

    def comparison(self) -> None:
        """All first-order optimizers on one task, each run diagnosed by the debugging
        checklist of "Optimization Algorithms in Deep Neural Networks"."""
        lrs = {
            "SGD": 0.1,
            "Momentum": 0.3,
            "Adagrad": 0.05,
            "RMSprop": 0.003,
            "Adadelta": 1.0,
            "Adam": 0.01,
            "AdamW": 0.01,
            "NAdam": 0.01,
            "RAdam": 0.01,
            "Lion": 0.002,
        }
        results = [
            run(
                RunSpec(
                    dataset="moons",
                    model="mlp",
                    optimizer=name,
                    lr=lr,
                    epochs=self.size(40, 3),
                    seed=self.seed,
                    n_samples=400,
                )
            )
            for name, lr in lrs.items()
        ]
        results.append(
            run(
                RunSpec(
                    dataset="moons",
                    model="mlp",
                    optimizer="SGD",
                    lr=30.0,
                    epochs=self.size(40, 3),
                    seed=self.seed,
                    n_samples=400,
                )
            )
        )
        rows = [r.summary() | {"remedy": r.diagnosis.get("remedy", "")} for r in results]
        viz.plot_losses(
            {r.spec.label: r.history.epoch_val_loss for r in results},
            path=self.path("comparison.png"),
            x_label="epoch",
            y_range=(0.08, 1.0),
            title="Every optimizer on the moons: validation loss per epoch",
            y_label="validation cross-entropy (log scale)",
        )
        self.report.section("Every optimizer on the moons, diagnosed").text(
            "The same 2-32-32-1 network, budget and batches for each optimizer; the last run uses "
            "a deliberately huge learning rate: its loss jumps far above the others, so the plot "
            "shows the window 0.08 to 1 and marks each step where a curve leaves it with a "
            "triangle on the edge. Each run is labelled by the debugging checklist of "
            '"Optimization Algorithms in Deep Neural Networks".'
        ).table(
            rows, ["label", "val_loss", "val_metric", "seconds", "status", "diagnosis", "remedy"]
        ).figure(self.path("comparison.png"), "validation loss per epoch")


PRACTICALS: list[tuple[str, Callable[[Demo], None]]] = [
    ("logistic regression, separable", Demo.logistic_separable),
    ("logistic regression vs MLP on moons", Demo.moons_linear_vs_mlp),
    ("linear regression vs OLS", Demo.linear_regression_vs_ols),
    ("MLP on digits", Demo.mlp_digits),
    ("trajectories on surfaces", Demo.trajectories),
    ("learning-rate effects", Demo.learning_rates),
    ("batch vs stochastic vs mini-batch", Demo.sampling_modes),
    ("EWMA", Demo.ewma),
    ("convergence rates", Demo.convergence),
    ("optimizer comparison", Demo.comparison),
]


def run_demo(
    out: Path,
    *,
    seed: int = 0,
    quick: bool = False,
    command: str = "optimlab demo",
    progress: Callable[[str], None] | None = None,
) -> Path:
    """Run every practical, write figures and ``report.html`` into ``out``; return the report."""
    demo = Demo(out, seed, quick, command)
    start = time.perf_counter()
    for name, practical in PRACTICALS:
        if progress is not None:
            progress(name)
        practical(demo)
    demo.report.config["seconds"] = round(time.perf_counter() - start, 1)
    return demo.report.write(out / "report.html")


__all__ = ["PRACTICALS", "Demo", "run_demo"]
