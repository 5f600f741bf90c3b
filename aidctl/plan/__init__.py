"""The plan as data: dated parameter sets, the disease catalogue and the disability table."""

from aidctl.plan.catalogue import Catalogue, Disease
from aidctl.plan.params import Policy, PolicyVersion, load_policy

__all__ = ["Catalogue", "Disease", "Policy", "PolicyVersion", "load_policy"]
