"""a10 -- reference solution and hidden checks (instructors only, never released).

Both graded functions build a Keras model, which cannot leave the grading worker.  So the
hidden checks run them through :func:`dlcourse.utils.conv_application.model_probe` (in the
worker), which reduces a model to plain data: the settings of every layer (kind, filters,
kernel size, strides, padding, activation, BatchNormalization axis, ...), the output shapes,
the parameter counts, and the output on two fixed inputs after giving every weight a value
that depends only on its role and shape.  Equivalent formulations compare equal
(``layers.ReLU()`` or ``Activation("relu")``, ``MaxPool2D`` or ``MaxPooling2D``,
``activation=tf.nn.softmax`` or ``"softmax"``, Sequential or functional); a layer in another
order changes the output.

How the hidden cases are drawn (``rng``: a numpy Generator seeded at grading time):

* ``happyModel()`` takes no argument: two cases with new weights and inputs (``probe_seed``),
  one in inference mode, one in training mode (BatchNormalization then uses the statistics
  of the batch, over the axes its ``axis`` leaves out);
* ``convolutional_model(input_shape)``: three input shapes, heights and widths multiples of 8
  from 48 to 96 (never equal, so a height/width mix-up shows; from 48 on even a model with
  'valid' everywhere can be built, so that mistake is named), 1 to 4 channels (one case with
  1, none with the notebook's (64, 64, 3)), each with new weights and inputs.

A wrong model is matched against the diagnoses below -- realistic wrong models, each with a
message naming the mistake.  Either way :func:`dlcourse.utils.conv_application.explain_model`
says which layers are missing, not asked for or set differently (so a mix of mistakes, or
'valid' in one layer only, is named too), or, when every layer is right, that the order or the
input shape is not.  Report lines never show the reference's outputs.
"""
from __future__ import annotations

import dataclasses

from dlcourse.autograder.checks import Case
from dlcourse.utils.checks import a10_convolution_application as public
from dlcourse.utils.conv_application import explain_model, model_probe
from dlcourse.utils.tf_runtime import keras, layers

__all__ = ["happyModel", "convolutional_model", "HIDDEN_CHECKS", "SIMULATED_MISTAKES", "REQUIRES",
           "HAPPY_DIAGNOSES", "CONV_DIAGNOSES"]

REQUIRES = ["tensorflow"]


# ============================================================================================
# Reference implementation
# ============================================================================================

def happyModel():
    return keras.Sequential([
        keras.Input(shape=(64, 64, 3)),
        layers.ZeroPadding2D(padding=(3, 3)),
        layers.Conv2D(32, (7, 7), strides=(1, 1)),
        layers.BatchNormalization(axis=3),
        layers.ReLU(),
        layers.MaxPool2D(),
        layers.Flatten(),
        layers.Dense(1, activation="sigmoid"),
    ])


def convolutional_model(input_shape):
    input_img = keras.Input(shape=input_shape)
    Z1 = layers.Conv2D(8, (4, 4), strides=(1, 1), padding="same")(input_img)
    A1 = layers.ReLU()(Z1)
    P1 = layers.MaxPool2D(pool_size=(8, 8), strides=(8, 8), padding="same")(A1)
    Z2 = layers.Conv2D(16, (2, 2), strides=(1, 1), padding="same")(P1)
    A2 = layers.ReLU()(Z2)
    P2 = layers.MaxPool2D(pool_size=(4, 4), strides=(4, 4), padding="same")(A2)
    F = layers.Flatten()(P2)
    outputs = layers.Dense(6, activation="softmax")(F)
    return keras.Model(inputs=input_img, outputs=outputs)


# ============================================================================================
# Wrong models (the diagnoses)
# ============================================================================================

def _happy_with(*, kernel=7, stride=1, filters=32, pad=True, bn=True, bn_axis=3,
                relu_first=False, pool=True, last="sigmoid"):
    """happyModel with one thing changed (the diagnoses of the hidden check)."""
    def build():
        norm = [layers.BatchNormalization(axis=bn_axis)] if bn else []
        act = [layers.ReLU()]
        return keras.Sequential(
            [keras.Input(shape=(64, 64, 3))]
            + ([layers.ZeroPadding2D(padding=(3, 3))] if pad else [])
            + [layers.Conv2D(filters, (kernel, kernel), strides=(stride, stride))]
            + (act + norm if relu_first else norm + act)
            + ([layers.MaxPool2D()] if pool else [])
            + [layers.Flatten(), layers.Dense(1, activation=last)])
    return build


def _conv_with(*, kernels=(4, 4, 2, 2), filters=(8, 16), conv_strides=1, pools=(8, 4),
               pool_strides=None, conv_padding="same", pool_padding="same", relu=True,
               last="softmax", fixed_shape=None):
    """convolutional_model with one thing changed (the diagnoses of the hidden check).

    ``kernels`` are (h1, w1, h2, w2); ``pool_strides=None`` moves each pool by its size."""
    def build(input_shape):
        x = inputs = keras.Input(shape=fixed_shape or input_shape)
        for k, (n_filters, pool) in enumerate(zip(filters, pools)):
            x = layers.Conv2D(n_filters, (kernels[2 * k], kernels[2 * k + 1]),
                              strides=(conv_strides, conv_strides), padding=conv_padding)(x)
            if relu:
                x = layers.ReLU()(x)
            step = pool if pool_strides is None else pool_strides
            x = layers.MaxPool2D(pool_size=(pool, pool), strides=(step, step),
                                 padding=pool_padding)(x)
        x = layers.Flatten()(x)
        return keras.Model(inputs=inputs, outputs=layers.Dense(6, activation=last)(x))
    return build


#: (wrong builder, message), most common first (the first one that matches is reported)
HAPPY_DIAGNOSES = [
    (_happy_with(relu_first=True), "ReLU comes before BatchNormalization: normalize the "
                                   "convolution's output first, then apply the ReLU"),
    (_happy_with(bn_axis=1), "BatchNormalization normalizes axis 1 (the rows of the image): "
                             "use axis=3, the channels (one mean and variance per filter)"),
    (_happy_with(bn=False), "BatchNormalization is missing: it comes right after the Conv2D, "
                            "before the ReLU"),
    (_happy_with(last="softmax"), "the last Dense uses softmax: over a single unit softmax is "
                                  "always 1; a yes/no output needs activation='sigmoid'"),
    (_happy_with(last=None), "the last Dense has no activation: a probability between 0 and 1 "
                             "needs activation='sigmoid'"),
    (_happy_with(kernel=3), "the Conv2D filters are 3x3: the notebook asks for 32 filters of "
                            "7x7, kernel_size=(7, 7)"),
    (_happy_with(kernel=5), "the Conv2D filters are 5x5: the notebook asks for 32 filters of "
                            "7x7, kernel_size=(7, 7)"),
    (_happy_with(stride=2), "the Conv2D moves by 2 pixels: the notebook asks for strides=(1, 1)"),
    (_happy_with(pad=False), "ZeroPadding2D is missing: pad the 64x64 input by 3 on every side "
                             "first, ZeroPadding2D(padding=(3, 3))"),
    (_happy_with(pool=False), "MaxPool2D is missing: it comes after the ReLU, with its defaults "
                              "(2x2 windows, stride 2)"),
]


def _hard_coded_shape(input_shape):
    return convolutional_model((64, 64, 3))


CONV_DIAGNOSES = [
    (_hard_coded_shape, "the input shape is hard-coded to (64, 64, 3): build the model on the "
                        "argument, keras.Input(shape=input_shape)"),
    (_conv_with(conv_padding="valid"), "a Conv2D uses padding='valid' (the default): both "
                                       "convolutions ask for padding='same'"),
    (_conv_with(pool_padding="valid"), "a MaxPool2D uses padding='valid' (the default): both "
                                       "pooling layers ask for padding='same'"),
    (_conv_with(conv_padding="valid", pool_padding="valid"),
     "every layer uses padding='valid' (the default): the notebook asks for padding='same' "
     "in all four"),
    (_conv_with(last="sigmoid"), "the last Dense uses sigmoid: six classes of which exactly one "
                                 "is right need activation='softmax'"),
    (_conv_with(last=None), "the last Dense has no activation: probabilities over the six "
                            "classes need activation='softmax'"),
    (_conv_with(kernels=(2, 2, 4, 4)), "the kernel sizes are swapped: the first Conv2D has 4x4 "
                                       "filters, the second 2x2"),
    (_conv_with(filters=(16, 8)), "the numbers of filters are swapped: 8 in the first Conv2D, "
                                  "16 in the second"),
    (_conv_with(pools=(4, 8)), "the pooling layers are swapped: the first pools 8x8 windows "
                               "(stride 8), the second 4x4 (stride 4)"),
    (_conv_with(pool_strides=1), "the MaxPool2D windows move by 1: each pool moves by its own "
                                 "size, strides=(8, 8) then strides=(4, 4)"),
    (_conv_with(conv_strides=2), "a Conv2D moves by 2 pixels: both convolutions ask for "
                                 "strides=(1, 1)"),
    (_conv_with(relu=False), "the ReLU layers are missing: one follows each Conv2D"),
]


# ============================================================================================
# Hidden cases
# ============================================================================================

#: a model is built and run on two small inputs per call: far below a second on any machine,
#: but the grading machine may be loaded and the first call also traces the model
_TIMEOUT = 60.0
_SIDES = tuple(range(48, 97, 8))


def _seed(rng) -> int:
    return int(rng.integers(1, 2**31 - 1))


def _happy_cases(rng):
    return [Case((), {"probe_seed": _seed(rng)}, label="happyModel(), new weights and inputs",
                 timeout=_TIMEOUT),
            Case((), {"probe_seed": _seed(rng), "probe_training": True}, timeout=_TIMEOUT,
                 label="happyModel() in training mode (BatchNormalization on batch statistics)")]


def _conv_cases(rng):
    channels = [1] + [int(c) for c in rng.choice([2, 3, 4], size=2, replace=False)]
    cases = []
    for c in rng.permutation(channels):
        h, w = (int(s) for s in rng.choice(_SIDES, size=2, replace=False))
        shape = (h, w, int(c))
        cases.append(Case((shape,), {"probe_seed": _seed(rng)}, timeout=_TIMEOUT,
                          label=f"input_shape = {shape}"))
    return cases


#: outputs are float32, computed by the same TensorFlow in the worker and here; the parameter
#: counts are exact within these tolerances (37,633 * 1e-5 < 1)
_RTOL, _ATOL = 1e-5, 1e-6

_TOO_SMALL = (r"would be zero or negative|[Nn]egative dimension|negative output size",
              "a layer's window is larger than its input: check padding='same' and the "
              "strides of each layer")
_NOT_A_MODEL = (r"not a Keras model",
                "return the model itself (keras.Sequential([...]) or keras.Model(inputs, outputs))")

_ERRORS = [_NOT_A_MODEL, public.NO_INPUT, _TOO_SMALL]

HIDDEN_CHECKS = [
    dataclasses.replace(public.HAPPY_MODEL, reference=happyModel, cases=_happy_cases,
                        probe=model_probe, explain=explain_model,
                        rtol=_RTOL, atol=_ATOL,
                        diagnoses=HAPPY_DIAGNOSES, error_hints=_ERRORS),
    dataclasses.replace(public.CONVOLUTIONAL_MODEL, reference=convolutional_model,
                        cases=_conv_cases, probe=model_probe, explain=explain_model,
                        rtol=_RTOL, atol=_ATOL,
                        diagnoses=CONV_DIAGNOSES, error_hints=_ERRORS),
]

#: what the simulated "partial" student of ``dlcourse demo`` gets wrong: (function, old, new)
SIMULATED_MISTAKES = [
    # 'valid' where 'same' is asked, in the first convolution
    ("convolutional_model", 'kernel_size=(4, 4), strides=(1, 1), padding="same"',
     'kernel_size=(4, 4), strides=(1, 1), padding="valid"'),
]
