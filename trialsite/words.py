"""Words: the plain-language text readers see for status and phase values.

Data only, so templates (and later translations) can use it; nothing here is computed.
"""
from __future__ import annotations

# status -> (short label, icon, one plain sentence). The icon is decoration: the words carry the meaning.
STATUS = {
    "not yet recruiting": ("Not open yet", "◔", "The trial has not started to look for people yet."),
    "recruiting": ("Open", "●", "The trial is looking for people to take part now."),
    "enrolling by invitation": ("By invitation only", "✉", "Only people asked by the study team can join."),
    "active not recruiting": ("Running, not taking new people", "◑",
                              "The trial is going on, but it is not taking new people."),
    "authorised": ("Approved", "✓", "A medicines regulator has allowed the trial to go ahead."),
    "authorized": ("Approved", "✓", "A medicines regulator has allowed the trial to go ahead."),
    "suspended": ("Paused", "❚❚", "The trial has stopped for now. It may start again."),
    "terminated": ("Stopped early", "■", "The trial ended before it was planned to end."),
    "completed": ("Finished", "✔", "The trial has ended as planned."),
    "withdrawn": ("Cancelled", "✕", "The trial stopped before anyone took part."),
    "unknown": ("Not known", "?", "We do not know if the trial is still going on."),
}

PHASE = {
    "1": ("Phase 1", "The first tests in people. They check safety and find the right dose."),
    "1/2": ("Phase 1/2", "Checks safety and the right dose first, then starts to look at whether it helps."),
    "2": ("Phase 2", "Checks whether the treatment helps people with the illness, and keeps checking safety."),
    "2/3": ("Phase 2/3", "Checks whether the treatment helps, then compares it with other care in more people."),
    "3": ("Phase 3", "Compares the treatment with the usual care in many people."),
    "4": ("Phase 4", "Studies a treatment that is already approved, to learn more about it over time."),
    "not applicable": ("No phase", "This kind of study does not test a medicine in phases."),
}

STUDY_TYPE = {
    "interventional": "People in the study get a treatment, and the team checks what happens.",
    "observational": "The team only watches and records what happens. The study gives no treatment.",
}

SEXES = {"all": "People of any sex", "female": "Women only", "male": "Men only"}
