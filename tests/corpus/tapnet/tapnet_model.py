import haiku as hk
import jax
