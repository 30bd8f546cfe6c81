from jax._src import sharding
from jax.experimental import maps
from jax.experimental import pjit
ParsedPartitionSpec = pjit.ParsedPartitionSpec
