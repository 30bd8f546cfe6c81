import keras
