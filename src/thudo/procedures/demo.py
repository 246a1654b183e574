"""Demo content of the procedure catalogue: the researched Hanoi procedures, published."""

from thudo.procedures import seed


def load(*, progress, stdout) -> list[tuple[str, str, str]]:
    if not seed.DEFAULT_FILE.exists():
        stdout.write(f"  Thiếu tệp {seed.DEFAULT_FILE}: chưa nạp thủ tục.")
        return []
    result = seed.load_file(progress=progress)
    stdout.write(f"  Thủ tục: {result.created} nạp mới, {result.unchanged} không đổi")
    for warning in result.warnings:
        stdout.write(f"  ! {warning}")
    return []
