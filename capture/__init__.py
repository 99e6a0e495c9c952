"""Capture: GOV.UK request forms (FOI, EIR, SAR, complaints, compliments, enquiries) that become cases."""
