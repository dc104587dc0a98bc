"""A landscape typed as a formula: ``f(x, y) = ...`` parsed safely, differentiated by SymPy.

The text is read with Python's own parser (`ast`) and translated node by node into a SymPy
expression; only numbers, the variables ``x`` and ``y``, the constants ``pi`` and ``e``,
``+ - * / **`` (``^`` is read as ``**``, as people write it) and a short list of functions
are accepted. Nothing is ever evaluated as Python (no ``eval``), so ``__import__``,
attribute access, lambdas, strings and keyword arguments have no way in. The gradient and
the Hessian are derived symbolically (``sympy.diff``) and compiled with ``sympy.lambdify``
into NumPy functions, so the surface is as exact as the built-in ones.

SymPy is imported only by this module, and only when an expression is built.
"""

from __future__ import annotations

import ast
import math
import sys
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from optimlab import checks
from optimlab.landscapes import Landscape

__all__ = ["FUNCTIONS", "ExpressionError", "ExpressionLandscape", "parse_expression"]

FUNCTIONS = (
    "sin",
    "cos",
    "tan",
    "exp",
    "log",
    "sqrt",
    "abs",
    "tanh",
    "sinh",
    "cosh",
    "atan",
    "asin",
    "acos",
)
"""The functions an expression may call, each with one argument."""

VARIABLES = ("x", "y")
MAX_LENGTH = 400
MAX_NODES = 300
MAX_EXPONENT = 64
MAX_MAGNITUDE_DIGITS = 300
DEFAULT_BOUNDS = ((-3.0, 3.0), (-3.0, 3.0))


class ExpressionError(ValueError):
    """An expression that is refused: the message says what and where, in one line."""


class StartPointError(ExpressionError):
    """A formula that is not finite at the start point asked for: the start is as much to
    blame as the formula."""


def parse_expression(text: str) -> Any:
    """The SymPy expression of ``text``, a formula in ``x`` and ``y``.

    Accepted: numbers, ``x``, ``y``, ``pi``, ``e``, ``+ - * / **`` (and ``^`` for power),
    parentheses, and calls of `FUNCTIONS` with one argument. A constant exponent must be
    at most 64 in size, and constant arithmetic must stay below 1e300.

    Raises:
        ExpressionError: anything else, naming it (``attribute access is not allowed``).
    """
    if not isinstance(text, str):
        raise ExpressionError(f"the expression must be text, got {type(text).__name__}")
    source = text.strip()
    if not source:
        raise ExpressionError("the expression is empty; type a formula in x and y, e.g. x**2 + y")
    if len(source) > MAX_LENGTH:
        raise ExpressionError(
            f"the expression is {len(source)} characters long; at most {MAX_LENGTH}"
        )
    if "#" in source:  # Python would drop the rest as a comment
        raise ExpressionError(
            f"'#' at column {source.index('#') + 1} is not allowed in a formula "
            "(there are no comments); remove it and what follows"
        )
    python = source.replace("^", "**")  # ^ binds as ** does
    try:
        tree = ast.parse(python, mode="eval")
    except SyntaxError as error:
        column = f" at column {error.offset}" if error.offset else ""
        raise ExpressionError(f"the expression is not a formula{column}: {error.msg}") from None
    nodes = sum(1 for _ in ast.walk(tree))
    if nodes > MAX_NODES:
        raise ExpressionError(f"the expression has {nodes} parts; at most {MAX_NODES}")
    import sympy

    formula = _Translator(sympy, python).visit(tree.body)
    if formula.has(sympy.I, sympy.zoo, sympy.oo, -sympy.oo, sympy.nan):
        raise ExpressionError(
            f"{source} is not a real, finite formula (it simplifies to {formula})"
        )
    return formula


class _Translator:
    """ast node -> SymPy expression, for the accepted nodes only."""

    def __init__(self, sympy: Any, source: str) -> None:
        self.sympy = sympy
        self.source = source
        self.names = {
            "x": sympy.Symbol("x", real=True),
            "y": sympy.Symbol("y", real=True),
            "pi": sympy.pi,
            "e": sympy.E,
        }
        self.functions = {
            name: getattr(sympy, name.capitalize() if name == "abs" else name) for name in FUNCTIONS
        }
        self.binary = {
            ast.Add: lambda a, b: a + b,
            ast.Sub: lambda a, b: a - b,
            ast.Mult: lambda a, b: a * b,
            ast.Div: lambda a, b: a / b,
            ast.Pow: self._power,
        }

    def visit(self, node: ast.AST) -> Any:
        if isinstance(node, ast.Constant):
            return self._number(node)
        if isinstance(node, ast.Name):
            if node.id not in self.names:
                allowed = ", ".join(self.names)
                raise ExpressionError(
                    f"unknown name {node.id!r}; the variables and constants are {allowed}"
                )
            return self.names[node.id]
        if isinstance(node, ast.BinOp) and type(node.op) in self.binary:
            return self.binary[type(node.op)](self.visit(node.left), self.visit(node.right))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.UAdd, ast.USub)):
            operand = self.visit(node.operand)
            return -operand if isinstance(node.op, ast.USub) else operand
        if isinstance(node, ast.Call):
            return self._call(node)
        raise ExpressionError(f"{_describe(node)} is not allowed in a formula")

    def _number(self, node: ast.Constant) -> Any:
        value = node.value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ExpressionError(f"{value!r} is not a number; only numbers, x and y may appear")
        if isinstance(value, int) and abs(value) < 10**15:
            return self.sympy.Integer(value)
        if abs(value) > sys.float_info.max:  # 1e400 reads as inf
            written = ast.get_source_segment(self.source, node) or str(value)
            if len(written) > 20:
                written = f"{written[:8]}... ({len(written)} characters)"
            raise ExpressionError(
                f"the number {written} is too large; at most {sys.float_info.max:.3g}"
            )
        return self.sympy.Float(float(value))

    def _power(self, base: Any, exponent: Any) -> Any:
        if exponent.is_number:
            size = abs(complex(exponent.evalf()))
            if size > MAX_EXPONENT:
                raise ExpressionError(
                    f"the exponent {exponent} is too large; at most {MAX_EXPONENT} in size"
                )
            if base.is_number and base != 0:
                digits = abs(exponent.evalf()) * math.log10(max(abs(complex(base.evalf())), 1e-300))
                if digits > MAX_MAGNITUDE_DIGITS:
                    raise ExpressionError(
                        f"{base}**{exponent} is too large (over 1e{MAX_MAGNITUDE_DIGITS})"
                    )
        return base**exponent

    def _call(self, node: ast.Call) -> Any:
        if not isinstance(node.func, ast.Name):
            raise ExpressionError(
                f"{_describe(node.func)} cannot be called; call one of {', '.join(FUNCTIONS)}"
            )
        name = node.func.id
        if name not in self.functions:
            raise ExpressionError(
                f"unknown function {name!r}; the functions are {', '.join(FUNCTIONS)}"
            )
        if node.keywords or len(node.args) != 1 or isinstance(node.args[0], ast.Starred):
            raise ExpressionError(f"{name}() takes exactly one argument, as in {name}(x)")
        return self.functions[name](self.visit(node.args[0]))


def _describe(node: ast.AST) -> str:
    kinds = {
        ast.Attribute: "attribute access (.)",
        ast.Lambda: "lambda",
        ast.Subscript: "indexing ([...])",
        ast.Compare: "a comparison",
        ast.BoolOp: "and/or",
        ast.IfExp: "if/else",
        ast.NamedExpr: "assignment (:=)",
        ast.Starred: "unpacking (*)",
        ast.Tuple: "a tuple (,)",
        ast.List: "a list",
        ast.Dict: "a dict",
        ast.Set: "a set",
        ast.JoinedStr: "an f-string",
    }
    for kind, description in kinds.items():
        if isinstance(node, kind):
            return description
    if isinstance(node, ast.BinOp):
        return f"the operator {type(node.op).__name__}"
    if isinstance(node, ast.UnaryOp):
        return f"the operator {type(node.op).__name__}"
    if isinstance(node, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
        return "a comprehension"
    return type(node).__name__


class ExpressionLandscape(Landscape):
    """``f(x, y)`` given as text, with its gradient and Hessian derived by SymPy.

    Example:
        >>> land = ExpressionLandscape("(1 - x)**2 + 100*(y - x^2)**2", start=(-1, 1))
        >>> land.grad((1, 1))
        array([0., 0.])

    Args:
        expression: the formula (see `parse_expression` for what it may hold).
        start: the start point.
        bounds: the plotting window, ``((x_low, x_high), (y_low, y_high))``.
        minima: known minimizers; by default one is searched for from the lowest point of
            a grid over the window (SciPy's BFGS with the exact gradient) and kept where
            the gradient vanishes and the Hessian is positive definite.

    Raises:
        ExpressionError: a refused formula, or one that is not finite at ``start``.
    """

    name = "expression"

    @property
    def title(self) -> str:
        """The formula itself: ``f(x, y) = ...``."""
        return f"f(x, y) = {self.expression}"

    def __init__(
        self,
        expression: str,
        start: Sequence[float] = (1.0, 1.0),
        bounds: tuple[tuple[float, float], tuple[float, float]] = DEFAULT_BOUNDS,
        minima: Sequence[Sequence[float]] | None = None,
    ) -> None:
        import sympy

        self.expression = str(expression).strip()
        self.formula = parse_expression(expression)
        x, y = (sympy.Symbol(v, real=True) for v in VARIABLES)
        gradient = [sympy.diff(self.formula, v) for v in (x, y)]
        hessian = [[sympy.diff(g, v) for v in (x, y)] for g in gradient]
        self._f = _compile(sympy, (x, y), self.formula)
        self._df = [_compile(sympy, (x, y), g) for g in gradient]
        self._d2f = [[_compile(sympy, (x, y), h) for h in row] for row in hessian]
        bounds = _checked_bounds(bounds)
        start_point = np.array(
            [checks.number("start[0]", start[0]), checks.number("start[1]", start[1])]
        )
        with np.errstate(all="ignore"):
            at_start = float(self._value(start_point))
            slope = self._grad(start_point)
        if not math.isfinite(at_start) or not np.isfinite(slope).all():
            raise StartPointError(
                f"f is not finite at the start point ({start_point[0]:g}, {start_point[1]:g}): "
                f"f = {at_start}, gradient = {slope.tolist()}; move the start or change f"
            )
        found = (
            self._search_minimum(bounds)
            if minima is None
            else [np.asarray(m, float) for m in minima]
        )
        super().__init__(dim=2, start=start_point, bounds=bounds, minima=found)

    def __repr__(self) -> str:
        return f"ExpressionLandscape({self.expression!r})"

    def _value(self, z: np.ndarray) -> np.ndarray:
        return self._f(z[0], z[1])

    def _grad(self, x: np.ndarray) -> np.ndarray:
        return np.array([float(d(x[0], x[1])) for d in self._df])

    def _hessian(self, x: np.ndarray) -> np.ndarray:
        return np.array([[float(d(x[0], x[1])) for d in row] for row in self._d2f])

    def _search_minimum(self, bounds: tuple) -> list[np.ndarray]:
        import scipy.optimize

        grid = np.meshgrid(*(np.linspace(low, high, 41) for low, high in bounds))
        with np.errstate(all="ignore"):
            values = np.where(np.isfinite(v := self._value(np.stack(grid))), v, np.inf)
        if not np.isfinite(values).any():
            return []
        row, col = np.unravel_index(np.argmin(values), values.shape)
        guess = np.array([grid[0][row, col], grid[1][row, col]])
        with np.errstate(all="ignore"):
            result = scipy.optimize.minimize(
                lambda p: float(self._value(p)),
                guess,
                jac=self._grad,
                method="BFGS",
                options={"gtol": 1e-10},
            )
            point = result.x
            if not np.isfinite(point).all() or np.linalg.norm(self._grad(point)) > 1e-6:
                return []
            eigenvalues = np.linalg.eigvalsh(self._hessian(point))
        inside = all(low <= p <= high for p, (low, high) in zip(point, bounds))
        return [point] if inside and eigenvalues.min() > 0 else []


def _compile(sympy: Any, symbols: tuple, expression: Any) -> Callable[..., Any]:
    """``expression`` as a NumPy function of (x, y) that broadcasts, constants included."""
    # The second derivative of abs() or sign() holds DiracDelta, zero wherever it is defined.
    singular = {"DiracDelta": lambda *args: np.zeros_like(np.asarray(args[0], dtype=float))}
    function = sympy.lambdify(symbols, expression, modules=[singular, "numpy"])

    def evaluate(x: Any, y: Any) -> Any:
        value = function(x, y)
        return np.broadcast_to(np.asarray(value, dtype=np.float64), np.broadcast(x, y).shape).copy()

    return evaluate


def _checked_bounds(bounds: object) -> tuple[tuple[float, float], tuple[float, float]]:
    try:
        (x_low, x_high), (y_low, y_high) = bounds  # type: ignore[misc]
    except (TypeError, ValueError):
        raise ValueError(
            f"bounds must be ((x_low, x_high), (y_low, y_high)), got {bounds!r}"
        ) from None
    pairs = []
    for axis, low, high in (("x", x_low, x_high), ("y", y_low, y_high)):
        low = checks.number(f"bounds {axis} low", low)
        high = checks.number(f"bounds {axis} high", high)
        if not high > low:
            raise ValueError(f"bounds for {axis} must have low < high, got ({low}, {high})")
        pairs.append((low, high))
    return pairs[0], pairs[1]
