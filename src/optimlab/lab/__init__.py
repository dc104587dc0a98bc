"""The lab: experiments, sweeps, diagnoses and reports built on optim, models and train."""
