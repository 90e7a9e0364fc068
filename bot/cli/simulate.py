"""`outreach simulate FLOW`: chat with a flow in the terminal, clock under your control.

FLOW is a flow's file or a name in the flows folder (bot.cli.flow_source). The patient context
comes from `--context` (YAML or JSON, or @FILE), else from the flow's first transcript, said so;
a missing required field stops before anything is simulated.

Type what the patient would text. Lines starting with `/` are commands:
  /wait 25h        advance the clock; due timeouts fire (nudges, hand-offs)
  /state           show the state, wait token, attempts and saved answers
  /staff close | /staff resume | /staff goto STATE
  /fail [CODE]     the last message could not be delivered (Twilio error CODE)
  /silence         (voice) the caller says nothing: the question once more, then the call ends
  /quit
Nothing is sent and nothing is stored: effects are only printed. With `--channel voice` each
step is shown as the TwiML the call would get (the same builder the voice endpoints use); type
what the patient says, or the digits they press.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from xml.dom import minidom

import click
import yaml
from rich.console import Console
from rich.markup import escape
from rich.syntax import Syntax

from bot import i18n
from bot.channels import voice_messages as vm
from bot.channels.twilio_voice import (
    Turn,
    final_twiml,
    gather_twiml,
    render_turn,
    render_turn_twiml,
)
from bot.channels.voice_locales import voice_profile
from bot.cli.flow_source import FLOWS_DIR_ENV, flows_dir_option, flows_folder, load_one
from bot.core import call_messages as cm
from bot.core import effects as fx
from bot.core.conversation import (
    ACTIVE,
    Conversation,
    DeliveryFailed,
    Event,
    Reply,
    StaffAction,
    Start,
    Timeout,
)
from bot.core.engine import StepResult, prompt, run
from bot.flows.marked import load_marked, plain
from bot.flows.schema import Flow, parse_duration
from bot.flows.translation_checks import translation_issues
from bot.i18n import render
from bot.services import voice_turns as vt
from bot.services.transcripts import DEFAULT_HOST_PARAMS, DEFAULT_NOW, pop_due, spoken_or_sent


def sample_context(flow: Flow, folders: list[Path]) -> tuple[dict[str, Any], Path | None]:
    """The context of the first transcript for this flow in `folders`' tests/, and its file."""
    for folder in folders:
        for path in sorted((folder / "tests").glob("*.yaml")):
            doc = plain(load_marked(path.read_text(encoding="utf-8")))
            if isinstance(doc, dict) and doc.get("flow") == flow.name:
                return dict(doc.get("context") or {}), path
    return {}, None


def parse_context(text: str) -> dict[str, Any]:
    """`--context` as YAML or JSON (`{first_name: Ana}` or `{"first_name": "Ana"}`), or
    `@file.yaml`; a bad value stops with what is wrong and an example."""
    source = text
    if text.startswith("@"):
        try:
            source = Path(text[1:]).read_text(encoding="utf-8")
        except OSError as exc:
            raise click.BadParameter(f"cannot read {text[1:]}: {exc.strerror}", param_hint="--context") from None
    try:
        value = plain(load_marked(source))
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        at = f" (column {where.column + 1})" if where is not None else ""
        raise click.BadParameter(f"not YAML or JSON{at}: {getattr(exc, 'problem', None) or exc}. "
                                 "Write it like: --context '{first_name: Ana, due_date: 2026-03-05}'",
                                 param_hint="--context") from None
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise click.BadParameter("must be a mapping of field: value, like "
                                 "--context '{first_name: Ana, due_date: 2026-03-05}'",
                                 param_hint="--context")
    return value


def missing_context(flow: Flow, conv: Conversation) -> list[str]:
    """Required fields the engine would refuse to start without (its own rule, by running Start)."""
    result = run(flow, conv, Start(), datetime.fromisoformat(DEFAULT_NOW))
    for eff in result.effects:
        if isinstance(eff, fx.Audit) and eff.action == "flow_not_started":
            return [str(name) for name in eff.detail.get("missing", [])]
    return []


#: Where the simulated call would post answers (shown in the TwiML; nothing listens).
SIM_GATHER_URL = "/twilio/voice/gather?conversation=simulator"
SIM_IDENTIFY_URL = "/twilio/voice/identify?conversation=simulator"


class Simulator:
    def __init__(self, flow: Flow, conv: Conversation, now: datetime, console: Console) -> None:
        self.flow, self.conv, self.now, self.out = flow, conv, now, console
        self.timers: dict[str, datetime] = {}
        self.words: dict[str, str] = {}  # reply message id -> what the patient typed
        self.profile = voice_profile(conv.locale) if conv.channel == "voice" else None
        self.silences = 0  # silent answers to the current question (voice)

    def apply(self, event: Event) -> None:
        before = self.conv.state
        if self.conv.channel == "voice" and isinstance(event, Start) and not self.conv.state:
            self.show_identity()
        if self.conv.channel == "voice" and isinstance(event, Reply):
            heard = self._heard(event)
            if heard is None:
                return  # asked again, as the call would: the flow did not move
            result = heard
        else:
            result = run(self.flow, self.conv, event, self.now)
        self.conv = Conversation.from_dict(json.loads(json.dumps(result.conversation.to_dict(), default=str)))
        for name in result.trace:
            self.out.print(f"[dim]  transition {name}[/dim]")
        if self.conv.state != before:
            self.out.print(f"[cyan]  state {before or '(new)'} -> {self.conv.state}[/cyan]")
        for eff in result.effects:
            self.show(eff)
        if self.conv.channel == "voice" and any(isinstance(e, fx.SendMessage) for e in result.effects):
            self.show_twiml(result.effects)

    def _heard(self, event: Reply) -> StepResult | None:
        """A call answer read as a real call reads it (`voice_turns.read_answer`): None when the
        call asks the question again instead of giving the answer to the flow."""
        self.silences = 0
        keyed = event.text.strip().isdigit() or event.text.strip() in ("*", "#")
        answer = vt.read_answer(self.flow, self.conv.state, event.text, self.conv.locale,
                                keyed=keyed)
        if answer.action == vt.REPEAT:
            self.out.print("[dim]  call intent repeat: the question again[/dim]")
            self.show_question()
            return None
        if answer.action == vt.ASK_BACK:
            self.out.print("[dim]  not clear (noise around a word): asked back, not acted on[/dim]")
            self.show_question(cm.NOT_SURE)
            return None
        if answer.action == vt.WRONG_NUMBER:
            self.out.print("[dim]  call intent wrong_number: number marked wrong, outreach "
                           "stopped, contact-fix task[/dim]")
        hit = answer.hit
        return run(self.flow, self.conv, Reply(text=answer.text, channel="voice"), self.now,
                   classify=lambda *_a, **_k: hit)

    def silence(self) -> None:
        """Nothing said or pressed: the real call asks once more, then says goodbye."""
        if self.profile is None or self.conv.status != ACTIVE:
            return
        if self.silences >= vt.MAX_SILENCES:
            line = render(vm.NO_INPUT_GOODBYE, DEFAULT_HOST_PARAMS, self.conv.locale,
                          self.conv.timezone)
            self.out.print("[dim]  silence again: the call ends (the conversation's own timeout "
                           "goes on)[/dim]")
            self._print_xml(final_twiml([line], self.profile, goodbye=None))
            return
        self.silences += 1
        self.show_question(vm.NO_INPUT)

    def show_question(self, lead: str | None = None) -> None:
        """The current question again, with its menu and keypad offer (what the call says)."""
        question = prompt(self.flow, self.conv.state, self.conv.context)
        if self.profile is None or question is None:
            return
        turn = render_turn([question], self.conv.locale, self.conv.timezone, DEFAULT_HOST_PARAMS)
        if lead is not None:
            sorry = render(lead, DEFAULT_HOST_PARAMS, self.conv.locale, self.conv.timezone)
            turn = Turn((sorry, *turn.lines), turn.choices, turn.menu, turn.msgids)
        self._print_xml(vt.question_twiml(self.flow, self.conv.state, turn, self.profile,
                                          SIM_GATHER_URL, self.conv.locale, self.conv.timezone,
                                          DEFAULT_HOST_PARAMS))

    def show_identity(self) -> None:
        """What every call says first: who is calling and for whom (no health detail)."""
        if self.profile is None:
            return
        params = {**DEFAULT_HOST_PARAMS, "first_name": self.conv.context.get("first_name", "")}
        lines = [render(cm.IDENTITY, params, self.conv.locale, self.conv.timezone)]
        offer = render(cm.OPT_OUT_OFFER, params, self.conv.locale, self.conv.timezone)
        xml = gather_twiml(Turn(tuple(lines)), self.profile, SIM_IDENTIFY_URL, num_digits=1,
                           offers=[offer])
        self.out.print("[dim]  identity first: the flow starts once the person presses 1 or "
                       "says yes[/dim]")
        self._print_xml(xml)

    def show_twiml(self, effects: list[fx.Effect]) -> None:
        """The TwiML of this voice turn: <Gather> while the flow waits, else <Hangup/>."""
        if self.profile is None:
            self.out.print(f"[red]  no Twilio voice for {self.conv.locale}: a real call is not placed "
                           "(an interpreter call-back task is created instead)[/red]")
            return
        state = self.flow.states.get(self.conv.state)
        waiting = self.conv.status == ACTIVE and state is not None and state.waits
        if waiting:
            said = [e for e in effects if isinstance(e, fx.SendMessage)]
            turn = render_turn(said, self.conv.locale, self.conv.timezone, DEFAULT_HOST_PARAMS)
            xml = vt.question_twiml(self.flow, self.conv.state, turn, self.profile, SIM_GATHER_URL,
                                    self.conv.locale, self.conv.timezone, DEFAULT_HOST_PARAMS)
        else:
            xml = render_turn_twiml(effects, waiting=False, profile=self.profile,
                                    locale=self.conv.locale, timezone=self.conv.timezone,
                                    action_url=SIM_GATHER_URL, host_params=DEFAULT_HOST_PARAMS)
        self._print_xml(xml)

    def _print_xml(self, xml: str) -> None:
        pretty = minidom.parseString(xml).toprettyxml(indent="  ").split("\n", 1)[1].rstrip()
        self.out.print("[bold green]  TwiML:[/bold green]")
        self.out.print(Syntax(pretty, "xml", word_wrap=True, theme="ansi_dark"))

    def show(self, eff: fx.Effect) -> None:
        if isinstance(eff, fx.SendMessage):
            if self.conv.channel == "voice":
                return  # said in the turn's TwiML, shown after the other effects
            for text in spoken_or_sent(eff, self.conv, DEFAULT_HOST_PARAMS):
                self.out.print(f"[bold green]bot ({eff.kind}):[/bold green] {escape(text)}", highlight=False)
        elif isinstance(eff, fx.CreateTask):
            self.out.print(f"[bold yellow]  TASK[/bold yellow] {eff.team} / {eff.priority}: {escape(eff.reason)}")
            if eff.understood:
                words = self.words.get(eff.reply_message_id or "")
                said = f" - patient wrote: {escape(repr(words))}" if words is not None else ""
                self.out.print(f"[yellow]       understood: {escape(eff.understood)}{said}[/yellow]")
        elif isinstance(eff, fx.ScheduleTimeout):
            self.timers[eff.wait_token] = eff.at
            self.out.print(f"[dim]  timeout {eff.wait_token} at {eff.at.isoformat()}[/dim]")
        elif isinstance(eff, fx.CancelTimeout):
            self.timers.pop(eff.wait_token, None)
        elif isinstance(eff, fx.EndConversation):
            self.out.print(f"[bold magenta]  END[/bold magenta] outcome {eff.outcome}")
        else:
            self.out.print(f"[dim]  {eff.to_dict()}[/dim]")

    def wait(self, delta: timedelta) -> None:
        until = self.now + delta
        for token, at in pop_due(self.timers, until):
            self.now = max(self.now, at)
            self.out.print(f"[dim]  clock {self.now.isoformat()}: timeout fires[/dim]")
            self.apply(Timeout(wait_token=token))
        self.now = until
        self.out.print(f"[dim]  clock now {self.now.isoformat()}[/dim]")

    def command(self, line: str) -> bool:
        """Handle one input line; False means quit."""
        parts = line.split()
        if not parts:
            return True
        if parts[0] in ("/quit", "/exit"):
            return False
        if parts[0] == "/wait":
            delta = parse_duration(parts[1] if len(parts) > 1 else "")
            if delta is None:
                self.out.print("[red]use /wait 30m, /wait 24h or /wait 2d[/red]")
            else:
                self.wait(delta)
        elif parts[0] == "/state":
            c = self.conv
            self.out.print(f"  state={c.state} status={c.status} outcome={c.outcome} "
                           f"wait={c.wait_token} attempts={c.attempts} locale={c.locale}")
        elif parts[0] == "/staff" and len(parts) > 1:
            self.apply(StaffAction(action=parts[1], state=parts[2] if len(parts) > 2 else None,
                                   staff_id="simulator"))
        elif parts[0] == "/silence" and self.conv.channel == "voice":
            self.out.print("[bold blue]patient:[/bold blue] (silence)", highlight=False)
            self.silence()
        elif parts[0] == "/fail":
            self.apply(DeliveryFailed(error_code=int(parts[1]) if len(parts) > 1 else 30003))
        elif parts[0].startswith("/"):
            self.out.print("[red]commands: /wait D, /state, /staff close|resume|goto S, /fail [CODE], "
                           "/silence (voice), /quit[/red]")
        else:
            self.out.print(f"[bold blue]patient:[/bold blue] {line}", highlight=False)
            message_id = f"sim-{len(self.words) + 1}"
            self.words[message_id] = line
            self.apply(Reply(text=line, channel=self.conv.channel, message_id=message_id))
        return True


@click.command(epilog=f"FLOW is a flow's file (path/to/flow.yaml) or the name of a flow in the flows "
                      f"folder (--flows-dir, else the {FLOWS_DIR_ENV} environment variable, else "
                      "this checkout's conversation_flows/).")
@click.argument("flow_arg", metavar="FLOW")
@click.option("--lang", "lang", default="en", show_default=True, help="Patient locale.")
@click.option("--channel", type=click.Choice(["sms", "voice"]), default="sms", show_default=True)
@click.option("--script", "script", type=click.Path(exists=True, dir_okay=False),
              help="Read inputs (replies and /commands) from a file instead of the keyboard.")
@click.option("--version", "version", type=int, default=None, help="Flow version (default newest).")
@click.option("--context", "context_text", default=None,
              help="Patient context as YAML or JSON, e.g. '{first_name: Ana, due_date: 2026-03-05}', "
                   "or @FILE. Default: the context of the flow's first transcript in tests/ (said when used).")
@flows_dir_option
def simulate(flow_arg: str, lang: str, channel: str, script: str | None, version: int | None,
             context_text: str | None, flows_dir: str | None) -> None:
    """Chat with FLOW in the terminal. Type /wait 25h to let timeouts fire."""
    folder = flows_folder(flows_dir)
    flow = load_one(flow_arg, version, folder, "simulate")
    if context_text is not None:
        context = parse_context(context_text)
    else:
        here = Path(flow.path).resolve().parent
        context, source = sample_context(flow, list(dict.fromkeys([here, folder.path])))
        if source is not None:
            click.echo(f"context: {json.dumps(context, ensure_ascii=False, default=str)}\n"
                       f"  (taken from the transcript {source}; pass --context to use your own)")
        else:
            click.echo("context: none given (pass --context '{first_name: Ana}' to fill the flow's fields)")
    conv = Conversation(id="simulator", patient_id="simulator", flow=flow.name, version=flow.version,
                        state="", locale=i18n.negotiate(lang), channel=channel, context=context)
    missing = missing_context(flow, conv)
    if missing:
        example = ", ".join(f"{name}: ..." for name in missing)
        raise click.ClickException(
            f"the flow {flow.name} needs {', '.join(missing)} in its context to start "
            f"(settings: required_context); nothing was simulated. Pass them with "
            f"--context '{{{example}}}'")
    console = Console(highlight=False)
    absent = [name for name in flow.context if context.get(name) in (None, "", [])]
    if absent:
        console.print(f"[yellow]warning: the context has no {', '.join(absent)}: texts that use "
                      f"{'them' if len(absent) > 1 else 'it'} will show the placeholder as written "
                      "(pass --context to fill them)[/yellow]")
    console.print(f"[bold]{flow.name} v{flow.version}[/bold] ({channel}, {conv.locale}). "
                  "Type replies; /wait 25h advances the clock; /quit ends.")
    untranslated = [i for i in translation_issues([flow], [conv.locale]) if "not translated" in i.message]
    if untranslated:
        console.print(f"[yellow]warning: {len(untranslated)} text(s) of this flow have no {conv.locale} "
                      "translation and are sent in English here (as they would be to a patient); see "
                      '"Get your flow translated" in conversation_flows/README.md[/yellow]')
    sim = Simulator(flow, conv, datetime.fromisoformat(DEFAULT_NOW), console)
    sim.apply(Start())
    lines = Path(script).read_text(encoding="utf-8").splitlines() if script else None
    while True:
        if lines is not None:
            if not lines:
                break
            line = lines.pop(0)
            if line.startswith("/"):
                console.print(f"[dim]> {line}[/dim]")
        else:
            try:
                line = input("> ")
            except EOFError:
                break
        if not sim.command(line.strip()):
            break
    console.print(f"[bold]done:[/bold] state {sim.conv.state}, status {sim.conv.status}, "
                  f"outcome {sim.conv.outcome}")
    sys.stdout.flush()
