"""An RNN learns to say "hello": from "hihell" predict the next letters, "ihello".

The smallest recurrent example of the course. Each letter is a one-hot vector of
5; an ``nn.RNNCell`` reads them one at a time, carrying its hidden state
``h = tanh(W_ih x + b_ih + W_hh h + b_hh)`` from letter to letter, and its 5
hidden values are read directly as the scores of the next letter. The losses of
the 6 steps are added, so ``loss.backward()`` runs backpropagation through time.

    python -m chainrule run examples/rnn_hello.py         # chainrule as torch
    python examples/rnn_hello.py                          # real PyTorch: same numbers
"""
import sys

import torch
import torch.nn as nn

torch.manual_seed(777)

idx2char = ["h", "i", "e", "l", "o"]
x_data = [0, 1, 0, 2, 3, 3]     # h i h e l l
y_data = [1, 0, 2, 3, 3, 4]     # i h e l l o

inputs = torch.eye(5)[x_data]   # one one-hot row per letter: (6, 5)
labels = torch.tensor(y_data)   # (6,)


class Model(nn.Module):
    def __init__(self, input_size=5, hidden_size=5):
        super().__init__()
        self.hidden_size = hidden_size
        self.cell = nn.RNNCell(input_size=input_size, hidden_size=hidden_size)

    def forward(self, x, hidden):
        return self.cell(x, hidden)          # the new hidden state is also the output

    def init_hidden(self):
        return torch.zeros(1, self.hidden_size)


model = Model()
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=0.1)
epochs = int(sys.argv[1]) if len(sys.argv) > 1 else 50

for epoch in range(1, epochs + 1):
    optimizer.zero_grad()
    hidden = model.init_hidden()
    loss = 0
    predicted = ""
    for x, y in zip(inputs, labels):
        hidden = model(x.unsqueeze(0), hidden)
        loss += criterion(hidden, y.unsqueeze(0))
        predicted += idx2char[hidden.argmax(dim=1).item()]
    loss.backward()
    optimizer.step()
    print(f"epoch {epoch:3d}, loss {loss.item():.4f}, predicted string: {predicted}")
