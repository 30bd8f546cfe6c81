import orbit
import tensorflow as tf
