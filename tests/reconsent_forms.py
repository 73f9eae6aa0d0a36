"""A later version of the risk statements, in memory, for re-consent tests.

``revised(forms)`` is the form set as a clinic would have it after publishing the next minor
version of the risks form in force (``next_version``): one statement reworded (``CHANGED``), one
added (``NEW``), the clinic profile classing that version as ``change`` ("major" or "minor").
"""

from __future__ import annotations

import dataclasses

from intake.forms import model as fm

CHANGED = "dryness.care"
NEW = "dryness.humidifier"


def next_version(forms: fm.FormSet) -> str:
    """The risks version after the one in force, whatever that is today."""
    major, minor, _patch = (int(p) for p in forms.risks.meta.version.split("."))
    return f"{major}.{minor + 1}.0"


def revised(forms: fm.FormSet, change: str = "major") -> fm.FormSet:
    version = next_version(forms)
    topics = []
    for topic in forms.risks.topics:
        statements = []
        for st in topic.statements:
            if st.id == CHANGED:
                st = dataclasses.replace(
                    st,
                    text=fm.Text.of(
                        en="I will use moisturizer, lip balm and eye drops every day. I will tell"
                        " the clinic if dryness bothers me.",
                        es="Usaré crema humectante, bálsamo para labios y gotas para los ojos"
                        " todos los días. Le avisaré a la clínica si la resequedad me molesta.",
                    ),
                )
            statements.append(st)
            if st.id == CHANGED:
                statements.append(
                    fm.Statement(
                        NEW,
                        topic.id,
                        fm.Text.of(
                            en="I understand that a humidifier at night can ease a dry nose.",
                            es="Entiendo que un humidificador por la noche puede aliviar la"
                            " nariz seca.",
                        ),
                    )
                )
        topics.append(dataclasses.replace(topic, statements=tuple(statements)))
    risks = dataclasses.replace(
        forms.risks,
        meta=dataclasses.replace(forms.risks.meta, version=version, sha256="1" * 64),
        topics=tuple(topics),
    )
    clinic = dataclasses.replace(
        forms.clinic,
        form_changes=(*forms.clinic.form_changes, ("risks", version, change)),
    )
    return dataclasses.replace(forms, risks=risks, clinic=clinic)
