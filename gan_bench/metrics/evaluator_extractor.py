"""A pinned ganbench evaluator behind torch-fidelity's feature-extractor interface, registered
under one name per dataset (``ganbench-lenet-<dataset>``), so torch-fidelity computes IS, FID, KID
and precision/recall on its features."""

from __future__ import annotations

import torch
from torch_fidelity.feature_extractor_base import FeatureExtractorBase
from torch_fidelity.registry import FEATURE_EXTRACTORS_REGISTRY, register_feature_extractor

from gan_bench.metrics import evaluators
from gan_bench.metrics.fidelity import BACKBONE, FEATURES, LOGITS


class EvaluatorExtractor(FeatureExtractorBase):
    """A pinned ganbench evaluator behind torch-fidelity's feature-extractor interface."""

    dataset = ""  # set by the per-dataset subclasses that ``extractor_name`` registers

    def __init__(self, name, features_list, **kwargs):
        super().__init__(name, features_list)
        self.model, self.sha256 = evaluators.load(self.dataset)

    @staticmethod
    def get_provided_features_list():
        return LOGITS, FEATURES

    @staticmethod
    def get_default_feature_layer_for_metric(metric):
        return {"isc": LOGITS, "fid": FEATURES, "kid": FEATURES, "prc": FEATURES}[metric]

    @staticmethod
    def can_be_compiled():
        return False

    @staticmethod
    def get_dummy_input_for_compile():
        return torch.zeros(1, 1, 28, 28, dtype=torch.uint8)

    def forward(self, x: torch.Tensor):
        logits, features = self.model(x[:, :1])
        by_name = {LOGITS: logits, FEATURES: features}
        return tuple(by_name[name] for name in self.features_list)


def extractor_name(dataset: str) -> str:
    """Register (once) and name the torch-fidelity extractor for ``dataset``'s evaluator."""
    name = f"ganbench-{BACKBONE}-{dataset}"
    if name not in FEATURE_EXTRACTORS_REGISTRY:
        cls = type(f"EvaluatorExtractor_{dataset.replace('-', '_')}", (EvaluatorExtractor,), {"dataset": dataset})
        register_feature_extractor(name, cls)
    return name
