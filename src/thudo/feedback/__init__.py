"""Citizen feedback on public issues (phản ánh, kiến nghị hiện trường), as in iHanoi.

Hanoi Decision 1207/QĐ-UBND (2025): three levels (urgent, complex, normal), acceptance within 8
working hours, urgent reports handled within 4 working hours of acceptance; complaints and
denunciations are not feedback and are diverted. Design: docs/glossary.md, domain-round2 §4.
"""
