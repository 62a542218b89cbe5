"""Train a small classifier from start to finish.

The whole loop a course builds up to, in one page: a Dataset of three Gaussian
blobs, a DataLoader that shuffles it, a Module with one hidden layer,
CrossEntropyLoss, SGD with momentum, a learning-rate schedule, evaluation under
``no_grad``, and a checkpoint saved to disk and loaded into a fresh model.

It is plain PyTorch. Run it with either library; they print the same numbers:

    python examples/train_classifier.py                      # PyTorch
    python -m chainrule run examples/train_classifier.py     # chainrule as torch
"""
import os
import tempfile

import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset, random_split

torch.manual_seed(0)


class Blobs(Dataset):
    """Points scattered around three centres; a point's label is its centre's number."""

    def __init__(self, points_per_class=100, spread=0.8):
        centres = torch.tensor([[0.0, 2.0], [-2.0, -1.0], [2.0, -1.0]])
        clouds = [centre + spread * torch.randn(points_per_class, 2) for centre in centres]
        self.points = torch.cat(clouds)
        self.labels = torch.arange(3 * points_per_class) // points_per_class

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return self.points[i], self.labels[i]


class Classifier(nn.Module):
    """2 inputs -> 16 hidden units (ReLU) -> 3 scores, one per class."""

    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(2, 16)
        self.out = nn.Linear(16, 3)

    def forward(self, x):
        return self.out(torch.relu(self.hidden(x)))


def accuracy(model, loader):
    """The fraction of points whose highest score is their class (no graph is recorded)."""
    model.eval()
    correct = total = 0
    with torch.no_grad():
        for points, labels in loader:
            correct += (model(points).argmax(dim=1) == labels).sum().item()
            total += len(labels)
    model.train()
    return correct / total


data = Blobs()
train_set, test_set = random_split(data, [0.8, 0.2])
train_loader = DataLoader(train_set, batch_size=16, shuffle=True)
test_loader = DataLoader(test_set, batch_size=60)

model = Classifier()
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.001, momentum=0.9)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=4, gamma=0.5)

print(f"before training: test accuracy {accuracy(model, test_loader):.3f}")
for epoch in range(1, 11):
    total_loss = 0.0
    for points, labels in train_loader:
        optimizer.zero_grad()
        loss = loss_fn(model(points), labels)
        loss.backward()
        optimizer.step()
        total_loss += loss.item() * len(labels)
    scheduler.step()
    print(f"epoch {epoch:2d}: train loss {total_loss / len(train_set):.4f}, "
          f"test accuracy {accuracy(model, test_loader):.3f}, "
          f"next lr {scheduler.get_last_lr()[0]:.4f}")

# A checkpoint: everything needed to resume, in PyTorch's file format.
with tempfile.TemporaryDirectory() as folder:
    path = os.path.join(folder, "classifier.pt")
    torch.save({"epoch": 10, "model": model.state_dict(),
                "optimizer": optimizer.state_dict()}, path)
    checkpoint = torch.load(path)

restored = Classifier()
restored.load_state_dict(checkpoint["model"])
print(f"restored from the epoch {checkpoint['epoch']} checkpoint: "
      f"test accuracy {accuracy(restored, test_loader):.3f}")
