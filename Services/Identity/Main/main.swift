import IdentityService
import Shared

await ServiceMain.run(.identity) { runtime in IdentityApplication.build(runtime, consumerOptions: try OutboxConsumerOptions.load(.identity)) }
