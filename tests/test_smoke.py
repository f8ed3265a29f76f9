def test_me(client, admin):
    response = client.get("/api/v1/me", headers=admin.headers)
    assert response.status_code == 200
    assert response.json()["email"] == "admin@chesterfield.test"
