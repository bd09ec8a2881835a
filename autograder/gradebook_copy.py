"""Copy between nbgrader gradebooks with nbgrader's own API: how one process writes every score.

A parallel or distributed batch (:mod:`dlcourse.autograder.batch`) grades each submission
against a private SQLite gradebook that holds only the assignment (:func:`copy_assignment`),
then the one process that owns the course's gradebook (SQLite or PostgreSQL) copies the result
in (:func:`copy_submission`).  The course's gradebook therefore never has two writers, and
what lands in it is what ``nbgrader autograde`` itself computed.
"""
from __future__ import annotations

from nbgrader.api import Gradebook, MissingEntry

__all__ = ["copy_assignment", "copy_submission", "copy_student", "MissingEntry"]


def copy_assignment(src: Gradebook, dst: Gradebook, assignment_id: str) -> None:
    """The assignment's definition (due date, notebooks, graded/solution/task/source cells)."""
    a = src.find_assignment(assignment_id)
    dst.update_or_create_assignment(assignment_id, duedate=a.duedate)
    for nb in a.notebooks:
        dst.update_or_create_notebook(nb.name, assignment_id, kernelspec=nb.kernelspec)
        for cell in nb.source_cells:
            dst.update_or_create_source_cell(cell.name, nb.name, assignment_id,
                                             cell_type=cell.cell_type, locked=cell.locked,
                                             source=cell.source, checksum=cell.checksum)
        for cell in nb.grade_cells:
            dst.update_or_create_grade_cell(cell.name, nb.name, assignment_id,
                                            max_score=cell.max_score, cell_type=cell.cell_type)
        for cell in nb.solution_cells:
            dst.update_or_create_solution_cell(cell.name, nb.name, assignment_id)
        for cell in nb.task_cells:
            dst.update_or_create_task_cell(cell.name, nb.name, assignment_id,
                                           max_score=cell.max_score, cell_type=cell.cell_type)


def copy_student(src: Gradebook, dst: Gradebook, assignment_id: str, student_id: str) -> None:
    """The student and what of their submission affects autograding (the extension)."""
    try:
        s = src.find_student(student_id)
        dst.update_or_create_student(student_id, first_name=s.first_name, last_name=s.last_name,
                                     email=s.email, lms_user_id=s.lms_user_id)
    except MissingEntry:
        dst.update_or_create_student(student_id)
    try:
        extension = src.find_submission(assignment_id, student_id).extension
    except MissingEntry:
        return
    if extension is not None:
        dst.update_or_create_submission(assignment_id, student_id, extension=extension)


def copy_submission(src: Gradebook, dst: Gradebook, assignment_id: str, student_id: str) -> bool:
    """Copy what autograde wrote for one submission from ``src`` into ``dst``; False if ``src``
    has no such submission.

    Auto scores, auto comments and late penalties are taken from ``src``; manual scores and
    comments already in ``dst`` are kept, and ``needs_manual_grade`` follows nbgrader's own
    rule (``SaveAutoGrades``): a cell needs a look when autograde says so or when a grader
    has already scored it by hand.
    """
    try:
        sub = src.find_submission(assignment_id, student_id)
    except MissingEntry:
        return False
    copy_student(src, dst, assignment_id, student_id)
    kwargs = {"timestamp": sub.timestamp} if sub.timestamp is not None else {}
    dst.update_or_create_submission(assignment_id, student_id, **kwargs)
    for snb in sub.notebooks:
        dnb = dst.find_submission_notebook(snb.name, assignment_id, student_id)
        dnb.late_submission_penalty = snb.late_submission_penalty
        for grade in snb.grades:
            target = dst.find_grade(grade.name, snb.name, assignment_id, student_id)
            target.auto_score = grade.auto_score
            target.needs_manual_grade = grade.needs_manual_grade or target.manual_score is not None
        for comment in snb.comments:
            target = dst.find_comment(comment.name, snb.name, assignment_id, student_id)
            target.auto_comment = comment.auto_comment
    dst.db.commit()
    return True
