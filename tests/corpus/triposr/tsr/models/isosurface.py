import torch
from torchmcubes import marching_cubes
