import torch
import nvdiffrast.torch as dr
