import IngestionService
import Shared

await ServiceMain.run(.ingestion) { runtime in IngestionApplication.build(runtime) }
