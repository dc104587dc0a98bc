"""The gradient and parameter adjustments most rules start with (PyTorch's order).

``maximize`` flips the gradient's sign, L2 weight decay adds ``weight_decay * p`` to the
gradient (coupled: it then passes through the adaptive scaling), and decoupled weight
decay shrinks the parameter itself, ``p <- p * (1 - lr * decay)`` (AdamW, Lion, and every
Keras optimizer). The coefficients make each a no-op when unused: sign = 1, weight_decay = 0,
keep = 1, which are exact in floating point.
"""

from optimlab.optim.rules import helper


@helper
def prelude(p, g, sign, weight_decay, keep):
    """Return the decayed parameter and the adjusted gradient: ``(keep p, sign g + wd p)``."""
    return keep * p, sign * g + weight_decay * p
