"""Plain-Python domain: patients, answers, rules, scoring, validation. No Qt, SQL or PDF code."""
