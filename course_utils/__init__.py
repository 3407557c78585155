"""course_utils: the small package every notebook of the course imports.

One job per module, light imports (``import course_utils`` loads no TensorFlow). The
numerics modules import no matplotlib, ipywidgets, Keras or TensorFlow (``tests/test_layers.py``
holds that); the Keras-side modules load TensorFlow when imported; ``plots`` draws and
``widgets`` holds the explorers.

Numerics:
- ``checks``        input checks every public function uses
- ``surfaces``      2-D test functions with analytic gradients and Hessians
- ``optimizers``    NumPy kernels that take the same steps as ``keras.optimizers``
- ``trajectories``  run an optimizer on a surface from one or many starts
- ``quadratic``     quadratic theory: curvatures, stability limits, optimal pairs, least squares
- ``minibatch``     mini-batch SGD on a one-feature regression
- ``capacity``      polynomial fits with an L2 penalty
- ``schedules``     learning-rate schedules matching ``keras.optimizers.schedules``, one-cycle
- ``experiments``   several seeds at once: ``train_seeds``, ``summary``, ``paired_difference``
- ``tuning``        search spaces (grid, random, Sobol), boundary checks, isolation
- ``landscape``     loss surfaces of a real Keras network: directions, slices, projections
- ``gradient_flow`` per-layer gradient norms read as dead, vanishing, exploding or healthy
- ``clinic``        the troubleshooting clinic's case record
- ``data``          offline datasets (digits, hash-checked MNIST, synthetic sets)

Keras side:
- ``models``, ``keras_tools``  the models the chapters build, learning curves, the LR range
  test, one-cycle, augmentation layers
- ``gradients``     per-layer gradient norms (a function, a callback, a depth grid)
- ``diagnostics``   measurements that confirm a training problem's cause
- ``hardware``      devices, precision, strategies, step timing; ``multiworker``: real workers
- ``environment``   versions, devices and datasets; the pre-flight check; ``setup(seed)``

JupyterLab side:
- ``server``        a server extension: widget messages reach the browser without Nagle's delay

Pictures and checkers:
- ``plots``         every figure the chapters share
- ``widgets``       the slider explorers (explorers only)
- ``exercises``     checkers that say what is wrong and give a hint
"""

__version__ = "0.1.0"
