"""Train a12's ResNet50 on SIGNS as the original course did, and print its test accuracy.

    python benchmarks/resnet_gpu.py [--epochs 10] [--batch-size 32] [--data-dir DIR]
    RESNET_GPU_SMOKE=1 python benchmarks/resnet_gpu.py     # one tiny step, on a CPU too

Meant for a machine with a GPU (TensorFlow with CUDA: ``pip install 'tensorflow[and-cuda]'``):
the course's run -- 10 epochs of Adam, ``batch_size=32``, categorical cross-entropy -- takes
several minutes on the two CPU cores of a course machine (it has not been timed on a GPU yet).
The model is the reference solution's (``solutions/a12_residual_networks.py``); the data are
what the notebook loads (the original SIGNS files when ``train_signs.h5`` and
``test_signs.h5`` are found, else the default digits).  It prints the device, the time per
epoch and the test accuracy three times: in inference mode (``model.evaluate``:
BatchNormalization with its moving averages), with batch statistics (every
BatchNormalization normalizing with the test batch's own statistics, as the original course's
model did at test time), and in inference mode again after the moving averages were
recomputed from 256 training pictures (:func:`dlcourse.utils.resnet.recalibrate_batch_norm`).
Measured on the default pictures on two shared CPU cores (TF 2.21, 30-45 s per epoch, 7.5
minutes in all): training accuracy 0.995 after 10 epochs; test accuracy 0.167 with the moving
averages, 0.986 with batch statistics, 0.981 with the averages recomputed (the moving averages
lag behind the weights).

``RESNET_GPU_SMOKE=1`` checks that the script starts: it trains one step on 8 pictures and
evaluates on 8, eagerly (no graph compilation), in about half a minute on a CPU.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--data-dir", default=None, help="folder of train_signs.h5 / test_signs.h5")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    smoke = os.environ.get("RESNET_GPU_SMOKE", "") not in ("", "0")

    from dlcourse.autograder.hidden import load_solution_module
    from dlcourse.utils import resnet
    from dlcourse.utils.tf_runtime import keras, set_seed, tf

    solution = load_solution_module("a12_residual_networks", ROOT / "solutions")
    gpus = tf.config.list_physical_devices("GPU")
    print(f"TensorFlow {tf.__version__}, Keras {keras.__version__}; "
          f"GPUs: {[g.name for g in gpus] or 'none (running on the CPU)'}")
    X_train, Y_train, X_test, Y_test, _ = resnet.load_signs(args.data_dir)
    epochs, batch_size = args.epochs, args.batch_size
    if smoke:
        X_train, Y_train, X_test, Y_test = X_train[:8], Y_train[:8], X_test[:8], Y_test[:8]
        epochs, batch_size = 1, 8
        print("smoke run: one step on 8 pictures")
    print(f"training on {len(X_train)} pictures, testing on {len(X_test)}; "
          f"{epochs} epoch(s), batch_size={batch_size}")

    set_seed(args.seed)
    model = solution.ResNet50(input_shape=X_train.shape[1:], classes=Y_train.shape[1])
    # a smoke run skips compiling the training step into a graph (20-60 s on a CPU for one step)
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"],
                  run_eagerly=smoke)

    class EpochTimer(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            logs = logs or {}
            print(f"epoch {epoch + 1}/{epochs}: {time.perf_counter() - self.start:6.1f} s   "
                  f"loss {logs.get('loss', float('nan')):.4f}   "
                  f"accuracy {logs.get('accuracy', float('nan')):.4f}", flush=True)

    start = time.perf_counter()
    model.fit(X_train, Y_train, epochs=epochs, batch_size=batch_size, verbose=0,
              callbacks=[EpochTimer()])
    print(f"training: {time.perf_counter() - start:.1f} s")
    loss, accuracy = model.evaluate(X_test, Y_test, batch_size=batch_size, verbose=0)
    batch_accuracy, _ = resnet.batch_statistics_accuracy(model, X_test, Y_test,
                                                         batch_size=max(batch_size, 8))
    resnet.recalibrate_batch_norm(model, X_train, batch_size=min(256, len(X_train)))
    _, recalibrated = model.evaluate(X_test, Y_test, batch_size=batch_size, verbose=0)
    print(f"test loss {loss:.4f}")
    print(f"test accuracy (inference mode, moving averages): {accuracy:.4f}")
    print(f"test accuracy (batch statistics):                {batch_accuracy:.4f}")
    print(f"test accuracy (inference mode, moving averages recomputed from "
          f"{min(256, len(X_train))} training pictures): {recalibrated:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
