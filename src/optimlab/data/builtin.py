"""The small data sets bundled with scikit-learn, as `Dataset` objects (no network)."""

from __future__ import annotations

from optimlab.data.dataset import Dataset

# name -> (scikit-learn loader, target name, task)
_BUILTIN = {
    "iris": ("load_iris", "species", "multiclass"),
    "wine": ("load_wine", "cultivar", "multiclass"),
    "breast_cancer": ("load_breast_cancer", "diagnosis", "binary"),
    "digits": ("load_digits", "digit", "multiclass"),
    "diabetes": ("load_diabetes", "disease_progression", "regression"),
}

DATASET_NAMES = tuple(_BUILTIN)


def load_dataset(name: str) -> Dataset:
    """Load one of scikit-learn's bundled data sets.

    ============== ======= ======== ============ ==========================================
    name           samples features task         target
    ============== ======= ======== ============ ==========================================
    iris           150     4        multiclass   species (3 classes)
    wine           178     13       multiclass   cultivar (3 classes)
    breast_cancer  569     30       binary       diagnosis (0 malignant, 1 benign)
    digits         1797    64       multiclass   digit 0-9 (8x8 pixel intensities 0-16)
    diabetes       442     10       regression   disease progression after one year
    ============== ======= ======== ============ ==========================================

    Features are as scikit-learn ships them (diabetes' are already centred and scaled);
    standardise with `Standardizer` fitted on the training split.

    Args:
        name: one of `DATASET_NAMES` (case and ``-``/``_`` are not significant).

    Raises:
        ValueError: an unknown name; the message lists the valid ones.
    """
    key = str(name).strip().lower().replace("-", "_")
    if key not in _BUILTIN:
        raise ValueError(f"unknown data set {name!r}; valid names: {', '.join(DATASET_NAMES)}")
    from sklearn import datasets  # imported here: scikit-learn is slow to import

    loader, target_name, task = _BUILTIN[key]
    bunch = getattr(datasets, loader)()
    class_labels = None if task == "regression" else tuple(bunch.target_names.tolist())
    return Dataset(
        X=bunch.data,
        y=bunch.target,
        task=task,
        feature_names=tuple(str(f) for f in bunch.feature_names),
        target_name=target_name,
        n_classes=None if class_labels is None else len(class_labels),
        name=key,
        class_labels=class_labels,
    )
