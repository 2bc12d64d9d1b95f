"""The practice over the case files: the steps, follow-up, policy, referrals, the directory, knowledge, events."""
