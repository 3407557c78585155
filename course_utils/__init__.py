"""course_utils: the small package every notebook of the course imports.

One job per module, light imports (``import course_utils`` loads no TensorFlow):

- ``optimizers``   NumPy kernels that take the same steps as ``keras.optimizers``
- ``surfaces``     2-D test functions with analytic gradients
- ``trajectories`` run an optimizer on a surface from one or many starts
- ``schedules``    learning-rate schedules matching ``keras.optimizers.schedules``
- ``landscape``    loss surfaces of a real Keras network: directions, slices, projections
- ``experiments``  several seeds at once: ``train_seeds``, ``summary``, ``paired_difference``
- ``tuning``       search spaces (grid, random, Sobol), boundary checks, isolation, trials side by side
- ``plots``, ``widgets``  figures and the slider explorers
- ``data``         offline datasets (digits, hash-checked MNIST, synthetic sets)
- ``keras_tools``  small Keras models, learning curves, the LR range test, one-cycle
- ``gradients``    per-layer gradient norms (a function and a callback)
- ``hardware``     devices, precision, strategies, step timing; ``multiworker``: real workers
- ``environment``  versions, devices and datasets; the pre-flight check; ``setup(seed)``
- ``exercises``    checkers that say what is wrong and give a hint
- ``hygiene``, ``workshop``  notebook cleaning, student copies, slides, the static site
"""

__version__ = "0.1.0"
