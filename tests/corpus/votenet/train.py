import torch
from tf_visualizer import Visualizer as TfVisualizer
