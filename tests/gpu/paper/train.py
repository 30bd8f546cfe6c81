import cv2
import torch
