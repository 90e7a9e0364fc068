"""The forms on the triage pages (Flask-WTF: each carries a CSRF token and validates input)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from bot.services.staff_replies import MAX_REPLY_CHARS
from bot.store.safety_marks import LABELS as SAFETY_LABELS
from bot.store.tasks_repo import MAX_NOTE_LENGTH, RESOLUTIONS


class ActionForm(FlaskForm):  # type: ignore[misc]
    """A bare button (claim, put back): only the CSRF token and the version seen."""

    version = HiddenField()
    submit = SubmitField("Claim")


class AssignForm(FlaskForm):  # type: ignore[misc]
    """Starts on "Choose a colleague": a preselected name is one click from a wrong hand-off."""

    assignee = SelectField("Assign to", validators=[DataRequired()], choices=[])
    version = HiddenField(validators=[InputRequired()])
    submit = SubmitField("Assign")


class NoteForm(FlaskForm):  # type: ignore[misc]
    note = TextAreaField("Add a note", validators=[DataRequired(), Length(max=MAX_NOTE_LENGTH)])
    contacted = BooleanField("I spoke with the patient (for example by phone)")
    submit = SubmitField("Save note")


class ResolveForm(FlaskForm):  # type: ignore[misc]
    resolution = SelectField(
        "Outcome",
        validators=[DataRequired()],
        choices=[SelectChoice("", "Choose an outcome")]
        + [SelectChoice(k, v[0]) for k, v in RESOLUTIONS.items()],
    )
    closing_note = TextAreaField("Closing note (needed for urgent tasks)",
                         validators=[Optional(), Length(max=MAX_NOTE_LENGTH)])
    version = HiddenField()
    submit = SubmitField("Resolve task")


class ReplyForm(FlaskForm):  # type: ignore[misc]
    body = TextAreaField("Reply to the patient by text",
                         validators=[Optional(), Length(max=MAX_REPLY_CHARS)])
    #: An approved template (bot.i18n.canned_replies), sent in the patient's language when
    #: the text box is left empty.
    canned = SelectField("Approved reply (sent in the patient's language)", choices=[],
                         validate_choice=False)
    #: The task version the page showed: a reply from a stale page is refused. On the patient
    #: page, `task_ref` names the open task the reply will join.
    version = HiddenField()
    task_ref = HiddenField()
    take_over = BooleanField("Take over from them (you become the one answering this patient)")
    submit = SubmitField("Send reply")


class SafetyMarkForm(FlaskForm):  # type: ignore[misc]
    """Staff's judgement on the safety screen for the patient's words on this task."""

    label = SelectField("The safety screen on this message", validators=[DataRequired()],
                        choices=[SelectChoice(k, v) for k, v in SAFETY_LABELS.items()])
    message_id = HiddenField(validators=[InputRequired()])
    submit = SubmitField("Record")
