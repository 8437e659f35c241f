/** A team with the number of its users (active or not). */
export interface TeamRecord {
  id: string;
  name: string;
  members: number;
}

/** Teams (table `teams`). Deleting a team keeps its users: their team_id becomes NULL (FK). */
export interface TeamsRepo {
  /** Ordered by name. */
  list(): Promise<TeamRecord[]>;
  get(id: string): Promise<TeamRecord | null>;
  /** ConflictError when the name is taken. */
  create(name: string): Promise<TeamRecord>;
  /** NotFoundError when missing; ConflictError when the name is taken. */
  rename(id: string, name: string): Promise<TeamRecord>;
  /** NotFoundError when missing; answers the deleted team as it was. */
  remove(id: string): Promise<TeamRecord>;
}
