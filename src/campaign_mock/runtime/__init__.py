"""Runtime control of a running mock: namespaces, scenarios, clock, faults, the journal and
the business coverage computed from it."""
