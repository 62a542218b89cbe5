"""提示目录（中文）: the Chinese text of each hint, keyed as in ``_catalogue.py``.

Each value is ``(what happened, fixed line)``; the fixed line is code, with
Chinese comments where they help.

>>> from chainrule.hints._zh import ZH
>>> from chainrule.hints._catalogue import CATALOGUE
>>> sorted(ZH) == sorted(e["key"] for e in CATALOGUE)
True
"""

ZH = {
    "backward_twice": (
        "backward() 会释放它走过的计算图；对同一个结果再调用一次就没有图可走了。"
        "通常应该把前向计算放进循环里。",
        "loss = loss_fn(model(x), y); loss.backward()   # 每次重新前向，再反向"),
    "nonscalar_backward": (
        "不带参数的 backward() 需要一个标量（比如损失）；这个张量有多个值。",
        "loss.mean().backward()"),
    "nonreal_backward": (
        "backward() 要从浮点数开始；这个是整数张量。", "loss.float().backward()"),
    "no_grad_fn": (
        "计算这个结果的张量都不需要梯度，所以没有计算图可以反向：创建时没写 "
        "requires_grad=True、在 torch.no_grad() 里计算、被 detach 了，或是比较/整数结果。",
        "w = torch.tensor([1.0], requires_grad=True)"),
    "grad_output_shape": (
        "传给 backward(g) 的梯度必须和张量形状相同。", "y.backward(torch.ones_like(y))"),
    "input_no_grad": (
        "autograd.grad(out, inputs) 只能对需要梯度的张量求导。",
        "x = torch.tensor([1.0], requires_grad=True)"),
    "input_unused": (
        "这个输入没有参与计算输出，所以没有梯度。",
        "torch.autograd.grad(out, inputs, allow_unused=True)"),
    "hook_no_grad": (
        "钩子观察的是梯度，而这个张量不需要梯度，永远不会有。",
        "x.requires_grad_(); x.register_hook(fn)"),
    "nan_in_backward": (
        "异常检测发现某个反向公式算出了 NaN：常见原因是在 0 处取 log 或做除法、在 0 处开方，"
        "或数值溢出。上面的警告里有对应的前向代码行。", "torch.log(x.clamp(min=1e-12))"),
    "int_requires_grad": (
        "梯度是实数，只有浮点张量才能 requires_grad；[1, 2] 创建的是整数张量。",
        "w = torch.tensor([1.0, 2.0], requires_grad=True)"),
    "requires_grad_nonleaf": (
        "只有你自己创建的张量（叶子）才能改 requires_grad；计算出来的结果跟随它的输入。",
        "y = y.detach()"),
    "inplace_leaf_view": (
        "对参数的一部分做原地写入，autograd 无法记录这个改动。",
        "with torch.no_grad(): w[0] = 5.0"),
    "inplace_leaf": (
        "在 autograd 记录时原地修改了参数；参数的更新不应该被记录。",
        "with torch.no_grad(): w -= lr * w.grad"),
    "modified_saved": (
        "反向传播需要前向保存的某个值，但之后的原地操作（add_、mul_、+=、x[i] = ...）改了它。",
        "y = y + 1   # 不要写 y += 1 或 y.add_(1)"),
    "grad_is_none": (
        "x.grad 是 None：x 不是需要梯度的叶子张量（写了 w = w - lr * w.grad 之后，w "
        "变成了新算出来的张量），或者 backward() 还没有传到它。",
        "with torch.no_grad(): w -= lr * w.grad   # w 仍是叶子"),
    "numpy_requires_grad": (
        "这个张量在计算图里（需要梯度），NumPy 无法跟踪计算图。", "x.detach().numpy()"),
    "item_many": (
        ".item() 把只有一个元素的张量变成 Python 数；这个张量的元素不是一个。",
        "loss.mean().item()"),
    "scalar_many": (
        "float()/int() 需要只有一个元素的张量。", "x.tolist()"),
    "bool_ambiguous": (
        "`if 张量:` 里有多个值：要说明是“任意一个”还是“全部”。", "if (x > 0).all():"),
    "iterate_0d": (
        "0 维张量只有一个数，没有东西可以遍历。", "value = x.item()"),
    "ragged_list": (
        "嵌套列表的各行长度不同；张量必须是规整的矩形。", "torch.tensor([[1, 2], [3, 4]])"),
    "cast_inplace": (
        "原地操作不能把整数张量变成浮点张量。",
        "x = x + 0.5   # 或者一开始就用浮点：torch.tensor([1., 2.])"),
    "negative_size": (
        "尺寸是负数；检查算出它的式子。", "torch.zeros(3)"),
    "broadcast": (
        "逐元素运算要求形状可以广播：每一维相等或为 1。把两边的 x.shape 打印出来看看。",
        "a + b.reshape(a.shape)"),
    "matmul_shapes": (
        "(n x k) @ (k x m)：中间的尺寸必须一致。nn.Linear(in, out) 要求输入最后一维是 in。",
        "a @ b.T   # 或 nn.Linear(x.shape[-1], out)"),
    "matmul_dtype": (
        "两个矩阵的 dtype 必须相同（float32 与 float64，或整数张量）。", "a.float() @ b.float()"),
    "linear_dtype": (
        "模型权重是 float32，输入却不是（来自 NumPy 的 float64 数组，或整数）。",
        "model(x.float())"),
    "dot_size": (
        "torch.dot 需要两个长度相同的向量。", "torch.dot(a, b[:len(a)])"),
    "dot_1d": (
        "torch.dot 只用于向量；矩阵请用 @（torch.matmul）。", "a @ b"),
    "cat_sizes": (
        "torch.cat 沿一个维度拼接，其他维度的尺寸必须相同。", "torch.cat([a, b], dim=1)"),
    "cat_ndim": (
        "torch.cat 要求张量的维数相同。", "torch.cat([a, b.unsqueeze(0)])"),
    "cat_0d": (
        "0 维张量没有可拼接的维度；请用 torch.stack。", "torch.stack([a, b])"),
    "stack_sizes": (
        "torch.stack 只能把形状相同的张量叠在一起。", "torch.cat([a, b])"),
    "view_numel": (
        "新形状的元素个数必须和原张量一样；用 -1 让一个尺寸自动算出。", "x.view(-1, 2)"),
    "view_stride": (
        "transpose/permute 之后内存不再按行排列，view() 无法重新解释；reshape() 必要时会复制。",
        "x.reshape(-1)"),
    "expand_size": (
        "expand() 只能重复尺寸为 1 的维度。", "x.repeat(2, 1)"),
    "permute_dims": (
        "permute() 需要为每一个维度给出一项。", "x.permute(1, 0)"),
    "dim_range": (
        "这个维度不存在：n 维张量的维度是 0..n-1（或 -n..-1）。", "x.sum(dim=-1)"),
    "index_range": (
        "下标从 0 开始，到 尺寸 - 1 为止。", "x[len(x) - 1]"),
    "ce_target_dtype": (
        "CrossEntropyLoss 要的是整数类别下标（0 .. C-1），不是浮点数；"
        "或者与输入同形状的类别概率。", "loss_fn(logits, y.long())"),
    "ce_multi_target": (
        "CrossEntropyLoss/NLLLoss 的目标是每个样本一个类别下标，形状为 (N,)。",
        "loss_fn(logits, y.argmax(dim=1))"),
    "ce_class_range": (
        "某个类别下标 >= 输出个数：最后一层要为每个类别输出一个值，标签是 0 .. C-1。",
        "nn.Linear(hidden, num_classes)"),
    "batch_size": (
        "模型输出和标签的样本数不同。", "loss_fn(model(x_batch), y_batch)"),
    "bce_range": (
        "BCELoss 接收概率；对原始分数（logits）请用 BCEWithLogitsLoss。",
        "nn.BCEWithLogitsLoss()(logits, y)"),
    "embedding_range": (
        "某个下标 >= num_embeddings（词表大小）。",
        "nn.Embedding(vocab_size, dim)   # vocab_size 大于所有下标"),
    "embedding_dtype": (
        "embedding 查表需要整数下标。", "emb(idx.long())"),
    "state_dict_shape": (
        "保存的张量与模型中的形状不同：模型创建时用的尺寸和保存时不一样。",
        "model = Net(与保存时相同的尺寸)"),
    "state_dict_keys": (
        "保存的名字和模型的参数名不一致（缺少或多出的键）：换了模型，或层改了名字。",
        "model.load_state_dict(state, strict=False)   # 仅当确实如此"),
    "optim_nonleaf": (
        "优化器更新的是你创建的张量；这个是计算出来的"
        "（带 requires_grad 的 torch.randn(...) * 0.1 是计算结果）。",
        "w = (torch.randn(3) * 0.1).requires_grad_()"),
    "optim_empty": (
        "优化器没有拿到参数：模型在 __init__ 里没有注册层，或者生成器 "
        "model.parameters() 已经被用完了。", "optim.SGD(model.parameters(), lr=0.01)"),
    "optim_params_type": (
        "优化器要的是张量列表，而不是一个张量。", "optim.SGD([w], lr=0.01)"),
    "forward_missing": (
        "这个 Module 没有名为 forward 的方法（检查拼写）；model(x) 调用的就是 forward。",
        "def forward(self, x):"),
    "super_init": (
        "__init__ 必须先调用 super().__init__()，再给层赋值。", "super().__init__()"),
    "assign_param": (
        "参数只能用 nn.Parameter 替换。", "with torch.no_grad(): m.weight.copy_(new)"),
    "forward_args": (
        "调用模型时给的输入个数和 forward() 的参数个数不同。", "model(x)"),
}
