"""nbgrader configuration of a student's JupyterLab on the shared course machine.

Every student's server reads this file (with ``jupyter_server_config.json`` and
``labconfig/page_config.json`` beside it) from the Jupyter config folder it is installed
in; see docs/jupyterhub.md.  It names the one course and the exchange folder shared with
the instructor, so the Assignments tab and ``nbgrader fetch_assignment / submit /
fetch_feedback`` work without flags.  The instructor's own configuration is the course's
``nbgrader_config.py``; nothing here is read on the instructor's side.
"""
import os

c = get_config()  # noqa: F821 - provided by traitlets when this file is loaded

c.CourseDirectory.course_id = "dlcourse"
# The exchange every user of the machine shares (DLCOURSE_EXCHANGE overrides it, e.g. in tests).
c.Exchange.root = os.environ.get("DLCOURSE_EXCHANGE", "/srv/nbgrader/exchange")
# nbgrader's default, stated because the privacy of a submission rests on it: the inbound
# folder cannot be listed by students, and each submission's name ends in 12 random
# characters, so no student can find (or open) another one's submission.
c.ExchangeSubmit.add_random_string = True
