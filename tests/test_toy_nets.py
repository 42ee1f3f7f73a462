"""PacGAN's maxout: the mask form CUDA uses gives max's values and gradients exactly, ties included."""

import torch

from gan_bench.nets.toy import max_by_mask


def test_max_by_mask_matches_max_in_values_and_gradients_with_ties():
    y = torch.randn(64, 200, 5, generator=torch.Generator().manual_seed(0))
    y[0, 0] = torch.tensor([0.5, 2.0, 2.0, -1.0, 2.0])  # a three-way tie: max's gradient goes to piece 1
    y[1, 3] = 0.0  # all five tie
    g = torch.randn(64, 200, generator=torch.Generator().manual_seed(1))
    grads, values = [], []
    for reduce in (lambda t: t.max(dim=2).values, max_by_mask):
        leaf = y.clone().requires_grad_(True)
        out = reduce(leaf)
        out.backward(g)
        values.append(out.detach())
        grads.append(leaf.grad)
    assert torch.equal(values[0], values[1])
    assert torch.equal(grads[0], grads[1])
    assert grads[1][0, 0].tolist() == [0.0, g[0, 0].item(), 0.0, 0.0, 0.0]
    assert grads[1][1, 3].tolist() == [g[1, 3].item(), 0.0, 0.0, 0.0, 0.0]
