"""``nn.utils``: helpers around parameters and their gradients."""
from . import clip_grad, convert_parameters
from . import rnn
from .clip_grad import clip_grad_norm, clip_grad_norm_, clip_grad_value_, get_total_norm
from .convert_parameters import parameters_to_vector, vector_to_parameters
