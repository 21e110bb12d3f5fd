"""Words: the plain-language text readers see for status and phase values.

Data only, so templates (and later translations) can use it; nothing here is computed.
"""
from __future__ import annotations

# status -> (short label, icon, one plain sentence). The icon is decoration: the words carry the
# meaning. No label may read as "the medicine is approved": "authorised" means the trial may start.
STATUS = {
    "not yet recruiting": ("Not looking for people yet", "◔",
                           "The trial has not started to look for people. It plans to soon."),
    "recruiting": ("Looking for people", "●", "The trial is looking for people to take part now."),
    "enrolling by invitation": ("By invitation only", "✉", "Only people the study team asks can join."),
    "active not recruiting": ("Going on, not taking new people", "◑",
                              "The trial is going on, but it is not taking new people."),
    "authorised": ("Allowed to start", "▷", "A regulator has allowed the trial to start. "
                   "This does not mean the treatment works or is approved."),
    "authorized": ("Allowed to start", "▷", "A regulator has allowed the trial to start. "
                   "This does not mean the treatment works or is approved."),
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

# How a treatment is given: the word doctors use (what editors write) -> plain words that follow
# "How it is given:".
ROUTES = {
    "intravenous": "into a vein", "by mouth": "by mouth", "oral": "by mouth",
    "subcutaneous": "as an injection under the skin", "intramuscular": "as an injection into a muscle",
    "topical": "on the skin", "inhaled": "breathed in", "intrathecal": "into the fluid around the spine",
}

# A treatment's part in the trial: short values editors write -> a plain sentence.
ROLES = {
    "study treatment": "The treatment being tested",
    "given with the study treatment": "Given together with the treatment being tested",
    "comparison": "Given to compare with the treatment being tested",
    "placebo": "A dummy treatment with no medicine in it, to compare with",
    "usual care": "The usual care for the illness, to compare with",
}

# Contact roles as registries write them -> plain words.
CONTACT_ROLES = {
    "contact": "Contact", "backup contact": "Other contact", "principal investigator": "Doctor in charge of the study",
    "sub-investigator": "Study doctor", "study chair": "Person who leads the study",
    "study director": "Person in charge of the study",
}
