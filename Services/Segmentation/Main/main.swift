import SegmentationService
import Shared

await ServiceMain.run(.segmentation) { runtime in SegmentationApplication.build(runtime) }
