"""Public checks of a12 (residual networks): test cases and expected values.

Each check calls the student's function through a probe of :mod:`dlcourse.utils.resnet`:
a block is run on the course's input X (three examples filled with -1, 1 and 3) and also
built on a ``keras.Input`` of X's shape, whose layers are printed as text -- the main path,
the shortcut, what follows the ``Add``, and the kernel initializer of every Conv2D.

* ``identity_block``: the course's two cases, with ``lambda seed=0: constant(value=1)``.
  The expected numbers are the course's (TensorFlow 2.3); TensorFlow 2.21 / Keras 3
  reproduce them to about 2e-5 (192.71236 for 192.71234, 48.9281 for 48.92808), so they are
  compared with ``atol = 1e-4`` (plus ``rtol = 1e-6``).
* ``convolutional_block``: the course printed outputs of ``glorot_uniform(seed=0)`` kernels,
  which come from TensorFlow 2.3's random stream and cannot be reproduced by later versions.
  These cases use :func:`~dlcourse.utils.resnet.deterministic_initializer` instead (numpy
  draws, the same on every machine); the expected values were computed once with the
  reference solution under TensorFlow 2.21, rounded to 5 decimals, and are compared with
  ``rtol = atol = 1e-4`` (float32 arithmetic differs between runs by about 1e-5).
* ``ResNet50``: the course's model, 64 x 64 x 3 with 6 classes: its parameter counts, layer
  counts, the shapes between the stages, stage 1, the stages' blocks and the head.

Nothing here builds a block or a model.
"""
from __future__ import annotations

import numpy as np

from dlcourse.autograder.checks import Case, FunctionCheck, public_check
from dlcourse.utils import resnet

__all__ = ["course_X", "IDENTITY_BLOCK", "CONVOLUTIONAL_BLOCK", "RESNET50", "IDENTITY_EXPECTED",
           "CONV_EXPECTED", "RESNET50_EXPECTED", "check_identity_block",
           "check_convolutional_block", "check_ResNet50"]


def course_X() -> np.ndarray:
    """The course's test input: (3, 4, 4, 3) float32, example 0 all -1, example 1 all 1,
    example 2 all 3."""
    X1 = np.ones((1, 4, 4, 3)) * -1
    X2 = np.ones((1, 4, 4, 3)) * 1
    X3 = np.ones((1, 4, 4, 3)) * 3
    return np.concatenate((X1, X2, X3), axis=0).astype(np.float32)


# --------------------------------------------------------------------------------------------
# How results are compared
# --------------------------------------------------------------------------------------------

_BLOCK_HINTS = [
    (r"Inputs have incompatible shapes",
     "the main path and the shortcut reach the Add with different shapes: the f x f conv needs "
     "padding='same' and the 1x1 convs 'valid'; in convolutional_block the stride s goes on the "
     "first conv of the main path and on the shortcut's conv (and on no other), and the "
     "shortcut's conv has F3 filters"),
    (r"KerasTensor cannot be used as input to a TensorFlow function",
     "use Keras layers (Conv2D, BatchNormalization, Activation, Add), not tf.* functions: the "
     "block is also built on a keras.Input to read its layers"),
    (r"values to unpack",
     "filters is a list of three numbers: F1, F2, F3 = filters"),
]

_RESNET_HINTS = [
    (r"Inputs have incompatible shapes",
     "two tensors of different shapes meet at an Add: every stage starts with a "
     "convolutional_block (it changes the number of channels, and with s=2 the size) and "
     "continues with identity_blocks of the same filters -- and identity_block and "
     "convolutional_block must pass their own checks first"),
    (r"negative|must be > 0|Computed output size would be|output size would be",
     "the picture shrinks to nothing before the AveragePooling2D: check the strides (s=1 for "
     "stage 2's convolutional_block, s=2 for stages 3-5) and the ZeroPadding2D((3, 3))"),
]

IDENTITY_BLOCK = FunctionCheck("identity_block", rtol=1e-6, atol=1e-4,
                               probe=resnet.probe_identity_block_public,
                               explain=resnet.explain_block, error_hints=_BLOCK_HINTS)
CONVOLUTIONAL_BLOCK = FunctionCheck("convolutional_block", rtol=1e-4, atol=1e-4,
                                    probe=resnet.probe_convolutional_block_public,
                                    explain=resnet.explain_block, error_hints=_BLOCK_HINTS)
RESNET50 = FunctionCheck("ResNet50", rtol=0.0, atol=0.0, probe=resnet.probe_resnet_public,
                         explain=resnet.explain_resnet, error_hints=_RESNET_HINTS)


# --------------------------------------------------------------------------------------------
# Expected values
# --------------------------------------------------------------------------------------------

def _identity_main(F1, F2, F3, f):
    return resnet.ARROW.join([
        "X", f"Conv2D({F1}, 1x1, stride 1, valid)", "BatchNorm(axis 3)", "ReLU",
        f"Conv2D({F2}, {f}x{f}, stride 1, same)", "BatchNorm(axis 3)", "ReLU",
        f"Conv2D({F3}, 1x1, stride 1, valid)", "BatchNorm(axis 3)"])


#: the course's two identity_block cases (TensorFlow 2.3's numbers)
IDENTITY_EXPECTED = [
    {"A.shape": "(3, 4, 4, 3)",
     resnet.IDENTITY_SUMMARY: np.array([
         [[0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0]],
         [[192.71234, 192.71234, 192.71234, 96.85617], [96.85617, 96.85617, 96.85617, 48.92808]],
         [[578.1371, 578.1371, 578.1371, 290.5685], [290.5685, 290.5685, 290.5685, 146.78426]]]),
     "main path": _identity_main(4, 4, 3, 2), "shortcut": "X", "after the Add": "Add → ReLU",
     "kernel initializers": "Constant (all 3 Conv2D)"},
    {"A.shape": "(3, 4, 4, 3)",
     resnet.IDENTITY_SUMMARY: np.array([
         [[0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0]],
         [[0.40739, 0.40739, 0.40739, 0.40739], [0.40739, 0.40739, 0.40739, 0.40739]],
         [[4.99991, 4.99991, 4.99991, 3.25948], [3.25948, 3.25948, 3.25948, 2.40739]]]),
     "main path": _identity_main(3, 3, 3, 2), "shortcut": "X", "after the Add": "Add → ReLU",
     "kernel initializers": "Constant (all 3 Conv2D)"},
]

_CONV_MAIN = resnet.ARROW.join([
    "X", "Conv2D(2, 1x1, stride 2, valid)", "BatchNorm(axis 3)", "ReLU",
    "Conv2D(4, 2x2, stride 1, same)", "BatchNorm(axis 3)", "ReLU",
    "Conv2D(6, 1x1, stride 1, valid)", "BatchNorm(axis 3)"])
_CONV_SHORTCUT = resnet.ARROW.join(["X", "Conv2D(6, 1x1, stride 2, valid)", "BatchNorm(axis 3)"])

#: convolutional_block(X, f=2, filters=[2, 4, 6], s=2, initializer=deterministic_initializer):
#: A[-1] (the example of 3s) for training=False and training=True, computed with TF 2.21
CONV_EXPECTED = [
    {"A.shape": "(3, 2, 2, 6)",
     resnet.CONV_SUMMARY: np.array([
         [[0.07073, 0.0, 0.0, 6.3281, 0.40472, 6.30572],
          [0.0, 0.0, 0.0, 6.23957, 0.0, 8.11611]],
         [[1.09267, 0.0, 0.0, 4.90643, 0.0, 4.91037],
          [0.12145, 0.0, 0.0, 5.05474, 0.0, 5.98365]]]),
     "main path": _CONV_MAIN, "shortcut": _CONV_SHORTCUT, "after the Add": "Add → ReLU",
     "kernel initializers": "DeterministicUniform (all 4 Conv2D)"},
    {"A.shape": "(3, 2, 2, 6)",
     resnet.CONV_SUMMARY: np.array([
         [[0.0, 0.0, 1.61752, 2.92109, 1.93294, 2.96252],
          [0.0, 0.0, 0.0, 3.72989, 0.0, 3.51577]],
         [[1.56184, 0.0, 0.70481, 0.32122, 0.0, 0.95759],
          [0.05975, 0.0, 0.0, 1.6794, 0.0, 2.16055]]]),
     "main path": _CONV_MAIN, "shortcut": _CONV_SHORTCUT, "after the Add": "Add → ReLU",
     "kernel initializers": "DeterministicUniform (all 4 Conv2D)"},
]

#: the course's ResNet50 (64 x 64 x 3, 6 classes): 23,600,006 parameters, 177 layers in Keras
#: 3's model.layers (53 Conv2D, 53 BatchNormalization, 49 relu Activation, 16 Add and one each of
#: InputLayer, ZeroPadding2D, MaxPooling2D, AveragePooling2D, Flatten, Dense), as in TF 2.3
RESNET50_EXPECTED = {
    "input shape": "64x64x3",
    "params": {"total": 23600006, "trainable": 23546886, "non_trainable": 53120},
    "layers": "53 Conv2D, 53 BatchNorm, 49 ReLU, 16 Add, 1 ZeroPadding2D, 1 MaxPooling2D, "
              "1 AveragePooling2D, 1 Flatten, 1 Dense",
    "shapes": resnet.ARROW.join(["64x64x3", "70x70x3", "32x32x64", "15x15x64", "15x15x256",
                                 "8x8x512", "4x4x1024", "2x2x2048", "1x1x2048", "6"]),
    "stem": resnet.ARROW.join(["ZeroPadding2D(3)", "Conv2D(64, 7x7, stride 2, valid)",
                               "BatchNorm(axis 3)", "ReLU", "MaxPooling2D(3x3, stride 2)"]),
    "stages": {"stage 2": "conv [64, 64, 256] s=1, 2 x identity [64, 64, 256]",
               "stage 3": "conv [128, 128, 512] s=2, 3 x identity [128, 128, 512]",
               "stage 4": "conv [256, 256, 1024] s=2, 5 x identity [256, 256, 1024]",
               "stage 5": "conv [512, 512, 2048] s=2, 2 x identity [512, 512, 2048]"},
    "head": resnet.ARROW.join(["AveragePooling2D(2x2, stride 2)", "Flatten", "Dense(6, softmax)"]),
}

_CONSTANT_1 = "constant:1"


def check_identity_block(fn):
    X = course_X()
    public_check(fn, IDENTITY_BLOCK, [
        Case((X, 2, [4, 4, 3]), {"training": False, "initializer": _CONSTANT_1},
             expected=IDENTITY_EXPECTED[0],
             label="X (3, 4, 4, 3) of -1, 1, 3; f = 2, filters = [4, 4, 3], training = False, "
                   "initializer = lambda seed=0: constant(value=1)"),
        Case((X, 2, [3, 3, 3]), {"training": True, "initializer": _CONSTANT_1},
             expected=IDENTITY_EXPECTED[1],
             label="the same X, f = 2, filters = [3, 3, 3], training = True, the same initializer"),
    ])


def check_convolutional_block(fn):
    X = course_X()
    public_check(fn, CONVOLUTIONAL_BLOCK, [
        Case((X, 2, [2, 4, 6]), {"s": 2, "training": False, "initializer": "deterministic"},
             expected=CONV_EXPECTED[0],
             label="X (3, 4, 4, 3) of -1, 1, 3; f = 2, filters = [2, 4, 6], s = 2, "
                   "training = False, initializer = deterministic_initializer"),
        Case((X, 2, [2, 4, 6]), {"s": 2, "training": True, "initializer": "deterministic"},
             expected=CONV_EXPECTED[1],
             label="the same, with training = True"),
    ])


def check_ResNet50(fn):
    public_check(fn, RESNET50, [
        Case(((64, 64, 3), 6), expected=RESNET50_EXPECTED, timeout=90.0,
             label="input_shape = (64, 64, 3), classes = 6"),
    ])
