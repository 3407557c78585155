"""course_utils: the small package every notebook of the course imports.

One job per module, light imports (``import course_utils`` loads no TensorFlow):

- ``optimizers``   NumPy kernels that take the same steps as ``keras.optimizers``
- ``surfaces``     2-D test functions with analytic gradients
- ``trajectories`` run an optimizer on a surface from one or many starts
- ``schedules``    learning-rate schedules matching ``keras.optimizers.schedules``
- ``plots``, ``widgets``  figures and the slider explorers
- ``environment``  versions, devices and datasets (the welcome notebook's report)
- ``exercises``    checkers that say what is wrong and give a hint
"""

__version__ = "0.1.0"
