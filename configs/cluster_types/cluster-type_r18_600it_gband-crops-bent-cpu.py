# The crops cluster typer trained with bent chromosomes: karyogram
# crops are straightened, but long chromosomes on a slide lie bent (L, J
# and U shapes), and the straight-trained typer calls such a single
# chromosome "touching" (real single chromosomes of ../shared/data/
# cluster-crops: benchmarks/README.md, "Real images"). A third of the
# training chromosomes at least 4 widths long bend by 30-150 degrees
# (deepacc/synthesis/bend.py). Val and test stay the straight cells.
_base_ = './cluster-type_r18_600it_gband-crops-cpu.py'

train_dataloader = dict(
    dataset=dict(
        metaphases=dict(
            compose=dict(bend=dict(rate=0.3, angle=(30, 150))))))
