# The crops cluster typer trained with long, bent chromosomes. Karyogram
# crops are straight and mid-metaphase (chromosome 1 about 7.7 widths
# long), but real clinical objects are often prometaphase, up to 12 or
# more widths long, and lie bent (L, J and U shapes); the straight-
# trained typer calls such a single chromosome "touching": on the real
# singles of ../shared/data/cluster-crops it called 33% of those 8-12
# widths long single, 7% of those longer (benchmarks/README.md, "Real
# images"). Here each training cell is stretched 1.0-1.8 times in length
# at 0.8-1.0 times the width (CondenseOptions with length > 1), and a
# third of the chromosomes at least 4 widths long bend by 30-150 degrees
# (deepacc/synthesis/bend.py). Val and test stay the straight cells.
_base_ = './cluster-type_r18_600it_gband-crops-cpu.py'

train_dataloader = dict(
    dataset=dict(
        metaphases=dict(
            compose=dict(
                condense=dict(
                    length=(1.0, 1.8), width=(0.8, 1.0), separated=0.0),
                bend=dict(rate=0.3, angle=(30, 150))))))
