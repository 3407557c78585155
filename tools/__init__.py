"""Tooling for whoever maintains or teaches the course, kept out of ``course_utils``.

The notebooks import ``course_utils`` and nothing here. Run these from the repository root
(the Makefile does):

- ``python -m tools.workshop student|site|slides|times``  student copies, the static site,
  slide metadata, chapter minutes (``make student``, ``make site``)
- ``python -m tools.hygiene --strip notebooks``  clean notebooks before a commit (``make strip``)
- ``python tools/wheelhouse.py download|install``  the offline install; a plain script, because
  it runs before any package (or virtual environment) exists

``site_assets/`` holds the scripts the static site loads, vendored so it works offline.
"""
