"""The plan as data: dated parameter sets, the disease catalogue with its D10 vocabulary,
and the disability table."""

from aidctl.plan.catalogue import Catalogue, Disease, Rule, Vocabulary
from aidctl.plan.params import Policy, PolicyVersion, load_policy

__all__ = ["Catalogue", "Disease", "Policy", "PolicyVersion", "Rule", "Vocabulary", "load_policy"]
