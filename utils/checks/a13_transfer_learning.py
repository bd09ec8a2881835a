"""Public checks of a13 (transfer learning with MobileNetV2): test cases and expected values.

The graded functions return Keras objects, so each check goes through a probe of
:mod:`dlcourse.utils.transfer` that reduces the result to plain data:

* ``data_augmenter()`` -> its type, its layers in words (flip mode, rotation range), and
  whether it leaves pictures unchanged at inference;
* ``alpaca_model(image_shape, data_augmentation)`` -> input and output shapes, its operations in
  order, parameter counts, whether it uses the augmentation it was given, whether the backbone
  is frozen and called with ``training=False``, and its logits on two fixed pictures (the
  backbone with the pretrained weights, every other variable seeded);
* ``fine_tune(model, base_learning_rate, fine_tune_at)`` -> the trainable flag of every layer
  of the backbone, parameter counts, loss, optimizer, learning rate and metrics.

The expected values were computed once with the reference under the pinned stack
(TensorFlow 2.21, Keras 3.15) and are stored here.  Keras 3 lists ``preprocess_input`` as
two operations (``TrueDivide``, ``Subtract``) where the course's TensorFlow 2.3 printed two
``TensorFlowOpLayer`` rows; the probe writes them as one ``preprocess_input`` row.

Nothing here computes a graded function's answer.
"""
from __future__ import annotations

import numpy as np

from dlcourse.autograder.checks import Case, FunctionCheck, public_check
from dlcourse.utils import transfer

__all__ = ["DATA_AUGMENTER", "ALPACA_MODEL", "FINE_TUNE", "EXPECTED_AUGMENTER",
           "EXPECTED_ALPACA", "EXPECTED_FINE_TUNE", "check_data_augmenter", "check_alpaca_model",
           "check_fine_tune"]

DATA_AUGMENTER = FunctionCheck(
    "data_augmenter", rtol=0, atol=0, probe=transfer.probe_augmenter,
    explain=transfer.explain_augmenter,
    error_hints=[(r"factor.*range \[-1, 1\]", "RandomRotation's factor is a fraction of a full "
                  "turn, not degrees: use RandomRotation(0.2)")])
# logits after 154 layers in float32: machines differ in the last digits
ALPACA_MODEL = FunctionCheck("alpaca_model", rtol=2e-3, atol=2e-3, probe=transfer.probe_alpaca_model,
                             explain=transfer.explain_alpaca_model)
FINE_TUNE = FunctionCheck("fine_tune", rtol=1e-5, atol=0, probe=transfer.probe_fine_tune,
                          explain=transfer.explain_fine_tune)

EXPECTED_AUGMENTER = {
    "type": "Sequential",
    "layers": ("RandomFlip(mode='horizontal')", "RandomRotation(factor=(-0.2, 0.2))"),
    "unchanged at inference": True,
}

#: alpaca_model((160, 160)) with the notebook's augmentation
EXPECTED_ALPACA = {
    "input_shape": "(None, 160, 160, 3)",
    "output_shape": "(None, 1)",
    "layers": ("Sequential[RandomFlip(mode='horizontal'), RandomRotation(factor=(-0.2, 0.2))] "
               "-> (None, 160, 160, 3)",
               "preprocess_input (pixels to [-1, 1]) -> (None, 160, 160, 3)",
               "MobileNetV2 backbone 'mobilenetv2_1.00_160' (154 layers), 2257984 params "
               "(0 trainable) -> (None, 5, 5, 1280)",
               "GlobalAveragePooling2D() -> (None, 1280)",
               "Dropout(rate=0.2) -> (None, 1280)",
               "Dense(units=1, activation='linear', use_bias=True), 1281 params (1281 trainable) "
               "-> (None, 1)"),
    "params": "2259265 params: 1281 trainable, 2257984 non-trainable",
    "uses the given data_augmentation": True,
    "backbones": 1,
    "backbone frozen": True,
    "backbone call": "training=False",
    "logits": np.array([[-0.9818905], [-0.92530376]]),
}

#: fine_tune(<frozen MobileNetV2 for 160x160>, 0.001, fine_tune_at=120): layers 120-153 trainable
EXPECTED_FINE_TUNE = {
    "returns the model": True,
    "backbone.trainable": True,
    "trainable layers": "frozen 0-119, trainable 120-153",
    "params": "2259265 params: 1626177 trainable, 633088 non-trainable",
    "loss": "BinaryCrossentropy(from_logits=True)",
    "optimizer": "Adam",
    "learning_rate": 1e-4,
    "metrics": "['accuracy']",
}


def check_data_augmenter(fn) -> None:
    """``data_augmenter()``: a Sequential of RandomFlip('horizontal'), then RandomRotation(0.2)."""
    public_check(fn, DATA_AUGMENTER, [Case((), {"image_shape": (32, 32, 3)},
                                           expected=EXPECTED_AUGMENTER,
                                           label="data_augmenter(), pictures 32x32x3")])


def check_alpaca_model(fn) -> None:
    """``alpaca_model((160, 160), data_augmentation=<RandomFlip('horizontal'), RandomRotation(0.2)>)``."""
    public_check(fn, ALPACA_MODEL, [Case(((160, 160),), {"augmentation": ("horizontal", 0.2)},
                                         expected=EXPECTED_ALPACA, timeout=120,
                                         label="image_shape (160, 160), the notebook's augmentation")])


def check_fine_tune(fn) -> None:
    """``fine_tune(<a model with a frozen MobileNetV2 for 160x160 pictures>, 0.001, fine_tune_at=120)``."""
    public_check(fn, FINE_TUNE, [Case(((160, 160), 0.001, 120), expected=EXPECTED_FINE_TUNE,
                                      timeout=120,
                                      label="base_learning_rate 0.001, fine_tune_at 120")])
