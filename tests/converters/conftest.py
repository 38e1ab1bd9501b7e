import cv2
import numpy as np
import pytest


def write_image(path, width=64, height=48, channels=3):
    img = np.full((height, width, channels), 230, np.uint8)
    cv2.imwrite(str(path), img)
    return path


VOC_TEMPLATE = """<annotation>
  <folder>JEPG</folder>
  <filename>{filename}</filename>
  {size}
  {objects}
</annotation>"""

VOC_OBJECT = """<object>
    <name>{name}</name><pose>Unspecified</pose>
    <truncated>0</truncated><difficult>0</difficult>
    <bndbox><xmin>{x0}</xmin><ymin>{y0}</ymin><xmax>{x1}</xmax>
    <ymax>{y1}</ymax></bndbox>
  </object>"""


def voc_xml(filename, objects, size=(64, 48)):
    size_xml = (
        ''
        if size is None
        else (
            f'<size><width>{size[0]}</width><height>{size[1]}</height>'
            '<depth>3</depth></size>'
        )
    )
    objs = '\n'.join(
        VOC_OBJECT.format(name=n, x0=b[0], y0=b[1], x1=b[2], y1=b[3])
        for n, b in objects
    )
    return VOC_TEMPLATE.format(filename=filename, size=size_xml, objects=objs)


@pytest.fixture
def voc_set(tmp_path):
    """The Cell Image Library layout: annotations/*.xml + JEPG/*.jpg."""
    ann, img = tmp_path / 'annotations', tmp_path / 'JEPG'
    ann.mkdir()
    img.mkdir()
    write_image(img / '97001.jpg')
    write_image(img / '97002.jpg', 80, 60)
    (ann / '97001.xml').write_text(
        voc_xml(
            '97001.jpg',
            [
                ('A1', (1, 2, 11, 22)),
                ('X', (20, 5, 30, 40)),
                ('G21', (40, 10, 46, 18)),
            ],
        )
    )
    # No <size>: read from the image; plain numbers and Y.
    (ann / '97002.xml').write_text(
        voc_xml(
            '97002.jpg',
            [('7', (0, 0, 10, 10)), ('Y', (70, 50, 80, 60))],
            size=None,
        )
    )
    return tmp_path
