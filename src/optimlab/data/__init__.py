"""Data for training: synthetic sets, scikit-learn's bundled sets, CSV files, splitting,
scaling, input checks, data fingerprints, and the sampling modes (full, stochastic,
mini-batch, online).
"""

from optimlab.data.builtin import DATASET_NAMES, load_dataset
from optimlab.data.csv_file import MAX_INFERRED_CLASSES, load_csv
from optimlab.data.dataset import Dataset
from optimlab.data.fingerprints import file_identity, fingerprint, settled_identity
from optimlab.data.sampling import SAMPLING_MODES, BatchSampler
from optimlab.data.split import Standardizer, train_val_split
from optimlab.data.synthetic import (
    circles,
    linear_regression,
    linearly_separable,
    moons,
    polynomial_regression,
    spirals,
    xor,
)
from optimlab.data.validation import TASKS, check_Xy

__all__ = [
    "DATASET_NAMES",
    "MAX_INFERRED_CLASSES",
    "SAMPLING_MODES",
    "TASKS",
    "BatchSampler",
    "Dataset",
    "Standardizer",
    "check_Xy",
    "circles",
    "file_identity",
    "fingerprint",
    "linear_regression",
    "linearly_separable",
    "load_csv",
    "load_dataset",
    "moons",
    "polynomial_regression",
    "settled_identity",
    "spirals",
    "train_val_split",
    "xor",
]
