"""JupyterHub on the shared course machine (docs/jupyterhub.md).

Copy to /etc/jupyterhub/jupyterhub_config.py, adapt the four names below, and run the hub as
root (``jupyterhub -f /etc/jupyterhub/jupyterhub_config.py``).  People log in with their
Unix accounts (PAM, JupyterHub's default) and each server runs as that Unix user
(LocalProcessSpawner, the default), so the exchange's file modes decide who sees what.

- Students get the student configuration (``deploy/student``, copied to STUDENT_CONFIG) in
  ``JUPYTER_CONFIG_PATH``, the place Jupyter reads before every other one: the Assignments
  tab works; no Formgrader, Course List or Create Assignment.
- Instructors get nothing of that: their Lab opens in the course root, runs from the
  course's own venv, and shows the Formgrader.
"""
c = get_config()  # noqa: F821 - provided by traitlets when this file is loaded

INSTRUCTORS = {"instructor"}                      # Unix accounts that run the course
COURSE_ROOT = "/srv/course"                       # the instructor's course root (mode 0700)
STUDENT_CONFIG = "/etc/dlcourse/jupyter-student"  # a copy of deploy/student
STUDENT_VENV = "/opt/dlcourse/venv"               # jupyterhub, jupyterlab, nbgrader, the student wheel
INSTRUCTOR_VENV = f"{COURSE_ROOT}/.venv"          # the course's own venv (+ jupyterhub)

# Who may log in: members of these Unix groups.
c.LocalAuthenticator.allowed_groups = {"dlcourse", "dlcourse-staff"}
c.Spawner.default_url = "/lab"
c.Spawner.cmd = [f"{STUDENT_VENV}/bin/jupyterhub-singleuser"]


def _is_instructor(spawner) -> bool:
    return spawner.user.name in INSTRUCTORS


# A callable value is called with the spawner; an empty JUPYTER_CONFIG_PATH is ignored.
c.Spawner.environment = {
    "JUPYTER_CONFIG_PATH": lambda spawner: "" if _is_instructor(spawner) else STUDENT_CONFIG,
}


def _instructor_server(spawner) -> None:
    """The instructor's Lab: the course root (where nbgrader_config.py is), the course venv."""
    if _is_instructor(spawner):
        spawner.notebook_dir = COURSE_ROOT
        spawner.cmd = [f"{INSTRUCTOR_VENV}/bin/jupyterhub-singleuser"]


c.Spawner.pre_spawn_hook = _instructor_server
