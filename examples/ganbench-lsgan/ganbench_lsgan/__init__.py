"""An example ganbench plug-in: the least-squares GAN (Mao et al. 2017) as an MLP on MNIST."""

from ganbench_lsgan.recipe import LSGAN_MLP, LSGANRecipe
from ganbench_lsgan.system import LSGAN

__all__ = ["LSGAN", "LSGANRecipe", "LSGAN_MLP"]
