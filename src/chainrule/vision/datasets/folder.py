"""ImageFolder: one sub-folder per class, image files inside.

::

    root/cat/001.png
    root/cat/002.jpg
    root/dog/001.png

gives classes ``['cat', 'dog']`` (sorted), ``class_to_idx`` ``{'cat': 0, 'dog': 1}``
and ``samples`` ``[(path, class_index), ...]`` in sorted order, as torchvision's.
Reading PNG and JPEG files needs Pillow (``pip install pillow``); without it the
folder is still listed, and loading an image says what to install.
"""
import os

from .vision import VisionDataset, pil_available

IMG_EXTENSIONS = (".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp")


def has_file_allowed_extension(filename, extensions):
    return filename.lower().endswith(tuple(extensions))


def find_classes(directory):
    """The sorted names of the sub-folders of ``directory``, and their indices."""
    classes = sorted(entry.name for entry in os.scandir(directory) if entry.is_dir())
    if not classes:
        raise FileNotFoundError(f"Couldn't find any class folder in {directory}.")
    return classes, {name: i for i, name in enumerate(classes)}


def make_dataset(directory, class_to_idx, extensions=None, is_valid_file=None,
                 allow_empty=False):
    """``(path, class_index)`` for each accepted file, classes and files sorted."""
    if (extensions is None) == (is_valid_file is None):
        raise ValueError("Both extensions and is_valid_file cannot be None or not None "
                         "at the same time")
    if is_valid_file is None:
        def is_valid_file(path):
            return has_file_allowed_extension(path, extensions)
    instances, found = [], set()
    for name in sorted(class_to_idx):
        folder = os.path.join(directory, name)
        for base, _, files in sorted(os.walk(folder, followlinks=True)):
            for file in sorted(files):
                path = os.path.join(base, file)
                if is_valid_file(path):
                    instances.append((path, class_to_idx[name]))
                    found.add(name)
    empty = set(class_to_idx) - found
    if empty and not allow_empty:
        msg = f"Found no valid file for the classes {', '.join(sorted(empty))}. "
        if extensions is not None:
            exts = extensions if isinstance(extensions, str) else ", ".join(extensions)
            msg += f"Supported extensions are: {exts}"
        raise FileNotFoundError(msg)
    return instances


def pil_loader(path):
    """Open an image file with Pillow, converted to RGB (as torchvision's default loader)."""
    if not pil_available():
        raise ImportError(f"Reading the image {path} needs Pillow, which is not installed. "
                          f"Install it with: pip install pillow")
    from PIL import Image
    with open(path, "rb") as f:
        return Image.open(f).convert("RGB")


default_loader = pil_loader


class DatasetFolder(VisionDataset):
    """Samples ``(loader(path), class_index)`` from a folder of class folders."""

    def __init__(self, root, loader, extensions=None, transform=None, target_transform=None,
                 is_valid_file=None, allow_empty=False):
        super().__init__(root, transform=transform, target_transform=target_transform)
        if not os.path.isdir(self.root):
            raise FileNotFoundError(f"[Errno 2] No such file or directory: '{self.root}'")
        classes, class_to_idx = find_classes(self.root)
        samples = make_dataset(self.root, class_to_idx, extensions, is_valid_file,
                               allow_empty)
        self.loader = loader
        self.extensions = extensions
        self.classes = classes
        self.class_to_idx = class_to_idx
        self.samples = samples
        self.targets = [target for _, target in samples]

    def __getitem__(self, index):
        path, target = self.samples[index]
        sample = self.loader(path)
        if self.transform is not None:
            sample = self.transform(sample)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return sample, target

    def __len__(self):
        return len(self.samples)


class ImageFolder(DatasetFolder):
    """Images sorted into one folder per class; each item is ``(image, class_index)``.

    Args:
        root: the folder of class folders.
        transform, target_transform: as for the other datasets.
        loader: how to read a file (default: Pillow, converted to RGB).
        is_valid_file: a test on paths, instead of the image extensions.
        allow_empty: accept class folders that hold no image.

    ``imgs`` is ``samples``, the list of ``(path, class_index)``.
    """

    def __init__(self, root, transform=None, target_transform=None, loader=default_loader,
                 is_valid_file=None, allow_empty=False):
        super().__init__(root, loader, IMG_EXTENSIONS if is_valid_file is None else None,
                         transform=transform, target_transform=target_transform,
                         is_valid_file=is_valid_file, allow_empty=allow_empty)
        self.imgs = self.samples
