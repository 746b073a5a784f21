import Foundation
print("pending")
