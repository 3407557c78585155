"""The contour helpers: one computation of the bands, drawn as polygons or as an image."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import LogNorm  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from course_utils import plots, surfaces  # noqa: E402


@pytest.mark.parametrize("name", ["quadratic", "rosenbrock", "saddle"])
def test_the_image_uses_contourfs_band_colours(name: str) -> None:
    surf = surfaces.get(name)
    X, Y, gap, edges = plots.contour_grid(surf, 60, 25)
    filled = Figure().add_subplot().contourf(X, Y, gap, levels=edges, norm=LogNorm(),
                                             cmap="viridis", alpha=plots.CONTOUR_ALPHA)
    faces = filled.get_facecolor()[:, :3]  # one colour per band
    expected = plots.CONTOUR_ALPHA * faces + (1 - plots.CONTOUR_ALPHA)  # over a white axes
    rgba = plots.contour_rgba(surf, 60, 25)
    assert rgba.dtype == np.uint8 and rgba.shape == (60, 60, 4)
    band = np.clip(np.searchsorted(edges, gap, side="right") - 1, 0, edges.size - 2)
    inside = np.ones_like(band, dtype=bool)  # away from seams, a pixel is its band's colour
    inside[:, 1:] &= band[:, 1:] == band[:, :-1]
    inside[1:, :] &= band[1:, :] == band[:-1, :]
    got = rgba[inside][:, :3] / 255
    np.testing.assert_allclose(got, expected[band[inside]], atol=0.012)


def test_contour_image_follows_the_surface_and_keeps_each_image() -> None:
    fig = Figure()
    ax = fig.add_subplot()
    contours = plots.ContourImage(ax, resolution=40)
    contours.show(surfaces.get("quadratic", condition=10.0))
    first = np.asarray(contours.image.get_array()).copy()
    computed = []
    original = plots.contour_rgba
    plots.contour_rgba = lambda *a: computed.append(a) or original(*a)
    contours.show(surfaces.get("rosenbrock"))
    assert ax.get_xlim() == surfaces.get("rosenbrock").window[0]
    assert contours.image.get_extent() == [-2.0, 2.0, -1.0, 3.0]
    assert contours.stars.get_data()[0].tolist() == [1.0]
    try:
        contours.show(surfaces.get("quadratic", condition=10.0))
        assert len(computed) == 1  # Rosenbrock's; the bowl's image was kept
        np.testing.assert_array_equal(contours.image.get_array(), first)
        contours.show(surfaces.get("quadratic", condition=50.0))
        assert not np.array_equal(contours.image.get_array(), first)  # a new κ, new bands
    finally:
        plots.contour_rgba = original
